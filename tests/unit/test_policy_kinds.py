"""Every kind of subsidy policy is registered whole: a module with its order, required fields and
amount, accepted by the command that creates policies. (tests/subsidy/test_policy_kinds.py checks
the database allows exactly these kinds.)"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from pathlib import Path
from typing import get_args

from services.subsidy.domain import Policy, Request
from services.subsidy.domain import policies as kinds_package
from services.subsidy.domain.commands import CreatePolicy
from services.subsidy.domain.policies import KINDS, ORDER

SAMPLE = {"percent_bp": 1500, "amount_per_day_fen": 1000, "groups": ("gig",), "class_ids": (uuid.uuid4(),)}


def test_every_module_in_the_policies_package_is_a_registered_kind() -> None:
    modules = {path.stem for path in Path(kinds_package.__file__).parent.glob("*.py")} - {"__init__", "base"}
    assert set(KINDS) == modules
    assert all(kind.name == name for name, kind in KINDS.items())


def test_kinds_pay_in_a_strict_order() -> None:
    orders = [kind.order for kind in KINDS.values()]
    assert len(set(orders)) == len(orders), "two kinds share a place in the order"


def test_a_kind_requires_only_fields_a_policy_has_and_the_command_accepts() -> None:
    policy_fields = {f.name for f in dataclasses.fields(Policy)}
    for kind in KINDS.values():
        assert set(kind.required) <= policy_fields, kind.name
        assert set(kind.required) <= set(CreatePolicy.model_fields), kind.name
        assert set(kind.required) <= set(SAMPLE), f"add a sample value for {kind.required} to this test"


def test_the_command_accepts_exactly_the_registered_kinds() -> None:
    assert get_args(CreatePolicy.model_fields["kind"].annotation) == ORDER


def test_a_kind_refuses_a_policy_missing_a_required_field_and_pays_a_whole_number_of_fen() -> None:
    request = Request(class_id=uuid.uuid4(), priority_group="gig", days=(dt.date(2027, 7, 5),), fee_per_day_fen=4999)
    for kind in KINDS.values():
        complete = {name: SAMPLE[name] for name in kind.required}
        assert kind.missing(complete) is None, kind.name
        for name in kind.required:
            assert kind.missing({**complete, name: None}), f"{kind.name} accepts a policy without {name}"
        policy = Policy(policy_id=uuid.uuid4(), fund_id=uuid.uuid4(), kind=kind.name, **complete)
        amount = kind.amount(policy, request)
        assert isinstance(amount, int) and amount >= 0, kind.name
