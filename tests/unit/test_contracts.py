"""Event contracts: the AsyncAPI document is generated from code, and changes may add, never break."""

from __future__ import annotations

import json
from typing import ClassVar

from pydantic import BaseModel

from deploy.endpoints import ROOT
from shared.contracts.asyncapi import document
from shared.contracts.compat import BASELINE, breaking, current, fields_of


def test_the_asyncapi_document_in_docs_matches_the_code() -> None:
    committed = json.loads((ROOT / "docs/asyncapi.json").read_text())
    assert committed == json.loads(json.dumps(document())), "regenerate with: ./tuoguan contracts"
    assert set(committed["channels"]) >= {"enrollment_events", "partner_insurance", "partner_statistics"}


def test_no_event_schema_breaks_what_has_shipped() -> None:
    problems = breaking(json.loads(BASELINE.read_text()), current())
    assert problems == [], "\n".join(problems)


class Shipped(BaseModel):
    TYPE: ClassVar[str] = "x"
    child_id: str
    days: int
    note: str | None = None


class Renamed(BaseModel):
    kid_id: str
    days: int
    note: str | None = None


class Retyped(BaseModel):
    child_id: str
    days: str
    note: str | None = None


class NewRequired(BaseModel):
    child_id: str
    days: int
    note: str | None = None
    site_id: str


class NewOptional(BaseModel):
    child_id: str
    days: int
    note: str | None = None
    site_id: str | None = None


def _check(new: type[BaseModel]) -> list[str]:
    return breaking({"x@v1": fields_of(Shipped)}, {"x@v1": fields_of(new)})


def test_the_gate_refuses_a_renamed_a_retyped_or_a_new_required_field() -> None:
    assert _check(Renamed) == [
        "x@v1: field 'child_id' was removed or renamed",
        "x@v1: new field 'kid_id' is required; old events do not have it",
    ]
    assert _check(Retyped) == ["x@v1: field 'days' changed type"]
    assert _check(NewRequired) == ["x@v1: new field 'site_id' is required; old events do not have it"]


def test_the_gate_lets_an_optional_field_or_a_new_version_through() -> None:
    assert _check(NewOptional) == []
    assert breaking({"x@v1": fields_of(Shipped)}, {"x@v2": fields_of(Renamed)}) == []
    assert breaking({"x@v1": fields_of(Shipped)}, {"y@v1": fields_of(Shipped)}) == ["x@v1: the event type is gone"]
