"""Set up subsidy money the way union staff do, through the subsidy API. Used by the demo, tests and benchmarks."""

from __future__ import annotations

import uuid
from typing import Any

import httpx


async def members_discount(subsidy_url: str, staff: str, percent_bp: int = 1500, **policy: Any) -> str:
    """Union staff open a fund and pay members a percentage of the fee from it; the fund's id.
    ``policy`` adds fields to the policy, e.g. ``auto_approve_up_to_fen=0`` so that staff decide."""
    async with httpx.AsyncClient(base_url=subsidy_url, timeout=10) as http:
        headers = {"Authorization": f"Bearer {staff}"}
        fund = await http.post(
            "/funds",
            json={"name": "会员优惠", "budget_fen": 10_000_000},
            headers={**headers, "Idempotency-Key": f"fund-{uuid.uuid4()}"},
        )
        assert fund.status_code == 201, fund.text
        created = await http.post(
            "/policies",
            json={"fund_id": fund.json()["fund_id"], "kind": "member_percent", "percent_bp": percent_bp, **policy},
            headers={**headers, "Idempotency-Key": f"policy-{uuid.uuid4()}"},
        )
        assert created.status_code == 201, created.text
        return fund.json()["fund_id"]
