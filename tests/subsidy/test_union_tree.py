"""An ancestor union's staff see the funds and spending of the unions below them, read only. Subsidy
learns the tree from enrollment's site.opened: a province's staff see a district's fund before
any child is booked there."""

from __future__ import annotations

import uuid

from shared.contracts.enrollment import SiteOpened
from testkit.city import token
from tests.subsidy.conftest import UnionFunds
from tests.support.inprocess import InProcess


def site_under(*union_path: uuid.UUID) -> SiteOpened:
    return SiteOpened(site_id=uuid.uuid4(), network_id=uuid.uuid4(), provider_id=uuid.uuid4(), union_path=union_path)


async def test_a_province_reads_the_funds_below_it_and_changes_none_of_them(subsidy: InProcess) -> None:
    province, city, district, sibling = (UnionFunds(subsidy) for _ in range(4))
    await province.deliver(
        site_under(province.union_id, city.union_id, district.union_id), site_under(province.union_id, sibling.union_id)
    )
    district_fund = await district.fund(budget_fen=300_000)
    city_fund = await city.fund(budget_fen=500_000)
    province_fund = await province.fund(budget_fen=1_000_000)

    for ancestor in (province, city):
        seen = await ancestor.get(f"/funds/{district_fund}")
        assert seen.status_code == 200, seen.text
        assert (seen.json()["budget_fen"], seen.json()["available_fen"]) == (300_000, 300_000)
    listed = await province.get(f"/unions/{province.union_id}/funds")
    assert listed.status_code == 200, listed.text
    assert [f["fund_id"] for f in listed.json()["funds"]] == [province_fund, city_fund, district_fund], "root first"
    from_city = (await city.get(f"/unions/{city.union_id}/funds")).json()["funds"]
    assert [f["fund_id"] for f in from_city] == [city_fund, district_fund], "a union sees its subtree, not above it"

    # read only: an ancestor neither opens a fund for the union below nor sets its policies
    await province.post("/funds", {"union_id": str(district.union_id), "name": "代开", "budget_fen": 1}, expect=403)
    refused = await province.post(
        "/policies", {"fund_id": district_fund, "kind": "member_percent", "percent_bp": 1500}, expect=422
    )
    assert refused.json()["reasons"] == [{"field": "fund_id", "reason": "not a fund of this union"}]
    # below and beside see nothing that is not theirs
    for outsider in (district, sibling):
        assert (await outsider.get(f"/funds/{province_fund}")).status_code == 403
    assert (await sibling.get(f"/funds/{district_fund}")).status_code == 403
    assert (await sibling.get(f"/unions/{city.union_id}/funds")).status_code == 403
    assert (await district.get(f"/unions/{province.union_id}/funds")).status_code == 403
    parent = token("parent", member_id=uuid.uuid4())
    assert (await district.get(f"/unions/{district.union_id}/funds", bearer=parent)).status_code == 403


async def test_a_site_opened_twice_keeps_one_path_per_union(subsidy: InProcess) -> None:
    province, district = UnionFunds(subsidy), UnionFunds(subsidy)
    opened = site_under(province.union_id, district.union_id)
    await province.deliver(opened, site_under(province.union_id, district.union_id))
    fund = await district.fund(budget_fen=1000)
    listed = (await province.get(f"/unions/{province.union_id}/funds")).json()["funds"]
    assert [f["fund_id"] for f in listed] == [fund]
