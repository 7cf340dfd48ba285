"""The subsidy database allows exactly the kinds of policy the code has, with a column for each
field a kind requires: a kind is never registered on one side only."""

from __future__ import annotations

import re

from services.subsidy.domain.policies import KINDS
from tests.conftest import Stack


async def test_the_database_allows_exactly_the_registered_kinds(stack: Stack) -> None:
    conn = await stack.connect("subsidy")
    try:
        checks = await conn.fetch(
            "SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint "
            "WHERE conrelid = 'policies'::regclass AND contype = 'c'"
        )
        columns = {
            r["column_name"]
            for r in await conn.fetch(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'policies'"
            )
        }
    finally:
        await conn.close()
    on_kind = [r["definition"] for r in checks if re.search(r"\(kind\b", r["definition"])]
    assert len(on_kind) == 1, on_kind
    assert set(re.findall(r"'([a-z_]+)'::text", on_kind[0])) == set(KINDS)
    for kind in KINDS.values():
        assert set(kind.required) <= columns, kind.name
