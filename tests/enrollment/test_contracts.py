"""Provider contracts: a class runs only at a site a current contract names, on days it covers,
within the places a day it pays for."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from testkit.city import SUMMER, City, Network, class_body, contract_body, token
from tests.support.inprocess import InProcess


async def _uncontracted(city: City, name: str) -> Network:
    return await city.network(await city.union(name), contract=False)


async def _sign(city: City, network: Network, **options: Any) -> str:
    sites = options.pop("sites", [network.hub_id, *network.satellite_ids])
    start, end = options.pop("starts_on", SUMMER[0]), options.pop("ends_on", SUMMER[-1])
    body = contract_body(network.union, network.provider_id, sites, start, end, **options)
    return (await city.post("/contracts", body, network.union.staff)).json()["contract_id"]


async def _refused(city: City, network: Network, **options: Any) -> dict[str, str]:
    body = class_body(network, **options)
    return (await city.post("/classes", body, network.union.staff, expect=409)).json()["reasons"][0]


async def test_a_class_at_a_site_without_a_current_contract_is_refused(enrollment: InProcess, city: City) -> None:
    network = await _uncontracted(city, "洛阳市总工会")
    refused = await _refused(city, network)
    assert refused == {
        "field": "site_id",
        "reason": "no provider contract names this site: union staff sign one for it first (POST /contracts)",
    }
    contract_id = await _sign(city, network)
    class_id = await city.klass(network)
    care_class = (await city.get(f"/classes/{class_id}", network.union.staff)).json()
    assert care_class["contract_id"] == contract_id, "the class runs under the contract just signed"
    created = await enrollment.runtime.pool.fetchval("SELECT count(*) FROM classes WHERE site_id = $1", network.hub_id)
    assert created == 1, "the refused class left nothing behind"


async def test_a_class_running_after_the_contract_ended_is_refused(city: City) -> None:
    network = await _uncontracted(city, "开封市总工会")
    await _sign(city, network, ends_on=SUMMER[4])
    refused = await _refused(city, network, days=SUMMER[3:7])
    assert refused["field"] == "days"
    assert refused["reason"] == (
        f"the site's provider contract ended on {SUMMER[4]}; the class runs after it on {SUMMER[5]}, {SUMMER[6]}"
    )
    await city.klass(network, days=SUMMER[:5])  # within it: fine


async def test_a_class_before_the_contract_starts_is_refused(city: City) -> None:
    network = await _uncontracted(city, "平顶山市总工会")
    await _sign(city, network, starts_on=SUMMER[5])
    refused = await _refused(city, network, days=SUMMER[4:6])
    assert refused["field"] == "days"
    assert refused["reason"] == (
        f"no provider contract of the site covers {SUMMER[4]} to {SUMMER[5]} "
        f"(its contracts: {SUMMER[5]} to {SUMMER[-1]})"
    )


async def test_a_class_at_a_site_the_contract_does_not_name_is_refused(city: City) -> None:
    network = await _uncontracted(city, "安阳市总工会")
    await _sign(city, network, sites=[network.hub_id])
    refused = await _refused(city, network, site_id=network.satellite_ids[0])
    assert refused["field"] == "site_id"
    await city.klass(network, site_id=network.hub_id)


async def test_the_classes_under_a_contract_never_need_more_places_a_day_than_it_has(city: City) -> None:
    network = await _uncontracted(city, "鹤壁市总工会")
    await _sign(city, network, places=50)
    await city.klass(network, capacity=30, days=SUMMER[:5])
    refused = await _refused(city, network, capacity=30, days=SUMMER[4:6], site_id=network.satellite_ids[0])
    assert refused == {
        "field": "capacity_per_day",
        "reason": f"the provider contract has 50 places a day; its classes take 30 on {SUMMER[4]}, "
        "so a class of 30 does not fit",
    }
    await city.klass(network, capacity=20, days=SUMMER[4:6], site_id=network.satellite_ids[0])  # exactly full
    await city.klass(network, capacity=50, days=SUMMER[6:8])  # other days: all 50 free


async def test_two_classes_racing_for_a_contracts_last_places_one_gets_them(city: City) -> None:
    network = await _uncontracted(city, "新乡市总工会")
    await _sign(city, network, places=40)
    bodies = [class_body(network, capacity=30, site_id=site) for site in (network.hub_id, network.satellite_ids[0])]
    answers = await asyncio.gather(*(city.post("/classes", b, network.union.staff, expect=None) for b in bodies))
    assert sorted(a.status_code for a in answers) == [201, 409]


async def test_a_contract_binds_only_the_unions_own_sites_and_a_provider_of_its_tree(city: City) -> None:
    henan = await city.union("河南省总工会", level="province")
    zhengzhou = await city.union("郑州市总工会", parent=henan)
    luoyang = await city.union("洛阳市总工会", parent=henan)
    network = await city.network(zhengzhou, contract=False)
    elsewhere = await city.network(luoyang, contract=False)
    start, end = SUMMER[0], SUMMER[-1]
    cases = {
        "a site of another city": (
            contract_body(zhengzhou, network.provider_id, [network.hub_id, elsewhere.hub_id], start, end),
            "site_ids",
        ),
        "a provider of another city": (
            contract_body(zhengzhou, elsewhere.provider_id, [network.hub_id], start, end),
            "provider_id",
        ),
        "a site run by another provider": (
            contract_body(luoyang, elsewhere.provider_id, [elsewhere.hub_id, network.hub_id], start, end),
            "site_ids",
        ),
        "no such site": (contract_body(zhengzhou, network.provider_id, [uuid.uuid4()], start, end), "site_ids"),
        "ending before it starts": (contract_body(zhengzhou, network.provider_id, [network.hub_id], end, start), ""),
        "a site twice": (
            contract_body(zhengzhou, network.provider_id, [network.hub_id, network.hub_id], start, end),
            "",
        ),
        "no places": (contract_body(zhengzhou, network.provider_id, [network.hub_id], start, end, places=0), "places"),
    }
    for label, (body, field) in cases.items():
        staff = luoyang.staff if body["union_id"] == str(luoyang.union_id) else zhengzhou.staff
        refused = await city.post("/contracts", body, staff, expect=422)
        assert refused.json()["reasons"][0]["field"] == field, label
    mine = contract_body(zhengzhou, network.provider_id, [network.hub_id], start, end)
    assert (await city.post("/contracts", mine, luoyang.staff, expect=403)).status_code == 403
    contract_id = (await city.post("/contracts", mine, henan.staff)).json()["contract_id"]  # staff above may sign

    read = f"/contracts/{contract_id}"
    contract = (await city.get(read, token("provider_staff", provider_id=network.provider_id))).json()
    assert contract["site_ids"] == [str(network.hub_id)] and contract["places"] == 1_000_000
    assert contract["fee_per_day_fen"] == 4000 and contract["reference"].startswith("HT-")
    assert (await city.get(read, zhengzhou.staff)).status_code == 200
    for outsider in (luoyang.staff, token("provider_staff", provider_id=elsewhere.provider_id)):
        assert (await city.get(read, outsider)).status_code == 403
