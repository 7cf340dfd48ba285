"""The kiosk's lists: the sites a member of staff may open, a site's classes of a day with their
live counts and the staff against the ratio, and on the roster the adults a child may go home with.
In-process, enrollment's events handed to attendance's consumer."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

from shared.contracts.enrollment import SiteOpened
from testkit.city import token
from testkit.scenarios import envelope
from tests.attendance.conftest import SiteDay, pickup_adults, today


def another_class(site: SiteDay, class_type: str = "school_age") -> SiteDay:
    """Another class at the same site, run by the same provider."""
    return dataclasses.replace(site, class_id=uuid.uuid4(), class_type=class_type, bookings={})


def counts(found: dict, class_id: uuid.UUID) -> dict:
    (entry,) = [c for c in found["classes"] if c["class_id"] == str(class_id)]
    return entry


async def test_a_sites_classes_today_carry_their_counts_and_a_check_in_moves_them(site: SiteDay) -> None:
    infants, tomorrows = another_class(site, "infant"), another_class(site)
    first, second = await site.book_child(), await site.book_child()
    baby = await infants.book_child()
    await tomorrows.book_child(today() + dt.timedelta(days=1))

    found = (await site.get(f"/sites/{site.site_id}/classes/{today()}")).json()
    assert [c["class_id"] for c in found["classes"]] == [str(infants.class_id), str(site.class_id)]  # by type
    assert counts(found, site.class_id) == {
        "class_id": str(site.class_id),
        "class_type": "school_age",
        "booked": 2,
        "expected": 2,
        "present": 0,
        "absent": 0,
        "picked_up": 0,
        "refused": 0,
        "staff_on_duty": 0,
        "children_per_staff": 20,
        "ratio_exceeded": False,
    }
    assert (found["limit"], found["offset"], found["next_offset"]) == (20, 0, None)

    assert (await site.check_in(first.child_id)).status_code == 201
    assert (await infants.check_in(baby.child_id)).status_code == 201
    assert (await site.check_in(second.child_id, temperature_c=38.2)).status_code == 422
    found = (await site.get(f"/sites/{site.site_id}/classes/{today()}")).json()
    assert {k: counts(found, site.class_id)[k] for k in ("expected", "present", "refused")} == {
        "expected": 0,
        "present": 1,
        "refused": 1,
    }
    assert counts(found, infants.class_id)["ratio_exceeded"] is True, "a baby present and no carer on duty"
    carer = {"staff_name": "刘阿姨", "role": "carer"}
    assert (await infants.post(f"/classes/{infants.class_id}/days/{today()}/staff", carer)).status_code == 201
    found = (await site.get(f"/sites/{site.site_id}/classes/{today()}")).json()
    assert {k: counts(found, infants.class_id)[k] for k in ("staff_on_duty", "ratio_exceeded")} == {
        "staff_on_duty": 1,
        "ratio_exceeded": False,
    }

    first_page = (await site.get(f"/sites/{site.site_id}/classes/{today()}?limit=1")).json()
    rest = (await site.get(f"/sites/{site.site_id}/classes/{today()}?limit=1&offset=1")).json()
    assert [c["class_id"] for c in first_page["classes"] + rest["classes"]] == [
        str(infants.class_id),
        str(site.class_id),
    ]
    assert (first_page["next_offset"], rest["next_offset"]) == (1, None)
    tomorrow = (await site.get(f"/sites/{site.site_id}/classes/{today() + dt.timedelta(days=1)}")).json()
    assert [c["class_id"] for c in tomorrow["classes"]] == [str(tomorrows.class_id)]


async def test_another_providers_staff_are_refused_and_a_malformed_date_is_explained(site: SiteDay) -> None:
    city, district = uuid.uuid4(), uuid.uuid4()
    site.union_path = (city, district)
    await site.book_child()
    path = f"/sites/{site.site_id}/classes/{today()}"

    stranger = token("provider_staff", provider_id=uuid.uuid4())
    refused = await site.get(path, stranger)
    assert refused.status_code == 403
    assert refused.json()["reasons"][0]["reason"] == "this site is not yours"
    assert (await site.get(path, token("union_staff", union_id=uuid.uuid4()))).status_code == 403
    assert (await site.get(path, token("parent", member_id=uuid.uuid4()))).status_code == 403
    assert (await site.get(path, token("union_staff", union_id=city))).status_code == 200, "staff above the site"
    assert (await site.get(f"/sites/{uuid.uuid4()}/classes/{today()}")).status_code == 404

    malformed = await site.get(f"/sites/{site.site_id}/classes/2026-02-30")
    assert malformed.status_code == 422
    (reason,) = malformed.json()["reasons"]
    assert reason["field"].endswith("day") and "date" in reason["reason"]
    assert (await site.get("/sites?day=yesterday")).status_code == 422
    assert (await site.get(f"{path}?limit=0")).status_code == 422


async def test_staff_find_their_own_sites_with_todays_classes_first(site: SiteDay) -> None:
    city = uuid.uuid4()
    site.union_path = (city,)
    quiet = dataclasses.replace(site, site_id=uuid.uuid4(), class_id=uuid.uuid4(), bookings={})
    elsewhere = dataclasses.replace(
        site, site_id=uuid.uuid4(), class_id=uuid.uuid4(), provider_id=uuid.uuid4(), bookings={}
    )
    await site.book_child()
    await quiet.book_child(today() + dt.timedelta(days=2))
    await elsewhere.book_child()
    opened = SiteOpened(site_id=uuid.uuid4(), network_id=uuid.uuid4(), provider_id=site.provider_id, union_path=(city,))
    await site.deliver([envelope(opened)])  # no child booked there yet

    mine = (await site.get("/sites")).json()
    assert [(s["site_id"], s["classes_on_day"]) for s in mine["sites"][1:]] == sorted(
        [(str(quiet.site_id), 0), (str(opened.site_id), 0)]
    ), "today's first, then by number"
    assert next(s for s in mine["sites"] if s["site_id"] == str(opened.site_id))["network_id"] == str(opened.network_id)
    assert mine["sites"][0] | {"network_id": None} == {
        "site_id": str(site.site_id),
        "network_id": None,
        "provider_id": str(site.provider_id),
        "union_id": str(city),
        "classes_on_day": 1,
    }
    above = (await site.get("/sites", token("union_staff", union_id=city))).json()
    assert {s["site_id"] for s in above["sites"]} == {str(s.site_id) for s in (site, quiet, elsewhere, opened)}
    assert (await site.get("/sites", token("union_staff", union_id=uuid.uuid4()))).json()["sites"] == []
    assert (await site.get("/sites", token("parent", member_id=uuid.uuid4()))).status_code == 403


async def test_the_roster_offers_the_adults_a_child_may_go_home_with(site: SiteDay) -> None:
    child = await site.book_child()
    (entry,) = (await site.get(f"/classes/{site.class_id}/roster/{today()}")).json()["children"]
    assert [a["display_name"] for a in entry["pickup_adults"]] == ["王奶奶", "家长0", "家长1"]
    assert entry["pickup_adults"] == pickup_adults(child)
    assert not any("id_number" in adult for adult in entry["pickup_adults"])
