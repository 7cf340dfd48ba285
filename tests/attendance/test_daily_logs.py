"""A site's daily logs: disinfection, the menu, food samples kept 48 hours (留样), the health worker's
morning check; a site-day with a log missing is flagged in the union's figures."""

from __future__ import annotations

import datetime as dt
import uuid

from services.attendance.domain.hours import local_today
from testkit.city import token
from tests.attendance.conftest import SiteDay, today
from tests.support.inprocess import InProcess

NOW = dt.datetime.now(dt.UTC)
LUNCH = {"meals": [{"meal": "lunch", "dishes": ["番茄炒蛋", "米饭", "青菜豆腐汤"]}]}


def day_url(site: SiteDay, day: dt.date | None = None) -> str:
    return f"/sites/{site.site_id}/days/{day or today()}"


async def keep_sample(site: SiteDay, kept_at: dt.datetime, dish: str = "番茄炒蛋") -> str:
    answer = await site.post(
        f"{day_url(site, local_today(kept_at))}/food-samples",
        {"dish": dish, "amount_g": 150, "kept_at": kept_at.isoformat()},
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["sample_id"]


async def figures(site: SiteDay, union_id: uuid.UUID) -> dict:
    answer = await site.get(f"/unions/{union_id}/attendance?day={today()}", token("union_staff", union_id=union_id))
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_a_day_with_every_log_kept_is_not_flagged_and_one_without_is(site: SiteDay) -> None:
    district = uuid.uuid4()
    site.union_path = (uuid.uuid4(), district)
    await site.book_child()
    assert (await figures(site, district))["missing_logs"] == [
        {"site_id": str(site.site_id), "missing": ["disinfection", "menu", "food_sample", "morning_check"]}
    ]

    at = dt.datetime.now(dt.UTC)
    disinfected = await site.post(
        f"{day_url(site)}/disinfections", {"area": "教室", "done_by": "张阿姨", "done_at": at.isoformat()}
    )
    assert disinfected.status_code == 201, disinfected.text
    assert (await site.post(f"{day_url(site)}/menu", LUNCH, method="PUT")).status_code == 200
    assert (await figures(site, district))["missing_logs"] == [
        {"site_id": str(site.site_id), "missing": ["food_sample", "morning_check"]}
    ]
    await keep_sample(site, at)
    checked = await site.post(
        f"{day_url(site)}/morning-check",
        {"health_worker": "刘医生", "checked_at": at.isoformat(), "children_checked": 1},
        method="PUT",
    )
    assert checked.status_code == 200, checked.text

    log = (await site.get(f"{day_url(site)}/log")).json()
    assert log["missing"] == []
    assert [d["area"] for d in log["disinfections"]] == ["教室"] and log["menu"] == LUNCH["meals"]
    assert log["morning_check"]["health_worker"] == "刘医生" and log["food_samples"][0]["discarded_at"] is None
    above = await site.get(f"{day_url(site)}/log", token("union_staff", union_id=district))
    assert above.status_code == 200 and above.json() == log
    shown = await figures(site, district)
    assert shown["sites_missing_logs"] == 0 and shown["missing_logs"] == []


async def test_a_food_sample_discarded_before_48_hours_is_refused_with_the_reason(
    site: SiteDay, attendance: InProcess
) -> None:
    await site.book_child()
    fresh = await keep_sample(site, NOW - dt.timedelta(hours=1))
    early = await site.post(f"/sites/{site.site_id}/food-samples/{fresh}/discard", {"discarded_at": NOW.isoformat()})
    assert early.status_code == 422
    (reason,) = early.json()["reasons"]
    assert reason["field"] == "discarded_at" and "kept 48 hours" in reason["reason"]
    (audited,) = await attendance.runtime.pool.fetch(
        "SELECT action, status_code, target FROM audit_log WHERE target->>'sample_id' = $1", fresh
    )
    assert tuple(audited)[:2] == ("POST /sites/{site_id}/food-samples/{sample_id}/discard", 422), "a refusal is audited"

    old = await keep_sample(site, NOW - dt.timedelta(hours=49))
    discarded = await site.post(f"/sites/{site.site_id}/food-samples/{old}/discard", {"discarded_at": NOW.isoformat()})
    assert discarded.status_code == 200, discarded.text
    again = await site.post(f"/sites/{site.site_id}/food-samples/{old}/discard", {"discarded_at": NOW.isoformat()})
    assert again.status_code == 409
    unknown = await site.post(
        f"/sites/{site.site_id}/food-samples/{uuid.uuid4()}/discard", {"discarded_at": NOW.isoformat()}
    )
    assert unknown.status_code == 404


async def test_logs_are_kept_by_the_sites_own_staff_with_times_on_the_day(site: SiteDay) -> None:
    await site.book_child()
    yesterday = NOW - dt.timedelta(days=1)
    round_ = {"area": "厨房", "done_by": "张阿姨", "done_at": yesterday.isoformat()}
    off_day = await site.post(f"{day_url(site)}/disinfections", round_)
    assert off_day.status_code == 422 and off_day.json()["reasons"][0]["field"] == "done_at"
    small = await site.post(
        f"{day_url(site)}/food-samples", {"dish": "米饭", "amount_g": 50, "kept_at": NOW.isoformat()}
    )
    assert small.status_code == 422 and "125" in small.text
    twice = {"meals": [LUNCH["meals"][0], LUNCH["meals"][0]]}
    assert (await site.post(f"{day_url(site)}/menu", twice, method="PUT")).status_code == 422
    round_["done_at"] = NOW.isoformat()
    for stranger in (
        token("provider_staff", provider_id=uuid.uuid4()),
        token("union_staff", union_id=site.union_path[-1]),  # union staff read the logs; the site keeps them
    ):
        assert (await site.post(f"{day_url(site)}/disinfections", round_, stranger)).status_code == 403
    outside = token("union_staff", union_id=uuid.uuid4())
    assert (await site.get(f"{day_url(site)}/log", outside)).status_code == 403
    assert (await site.post(f"/sites/{uuid.uuid4()}/days/{today()}/menu", LUNCH, method="PUT")).status_code == 404
