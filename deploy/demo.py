"""Seed a running system with a small city and print what to try next, in the order to paste it.

    ./tuoguan demo

It creates, through the services' APIs as union staff would: the 武钢 union under the Wuhan federation
with a 1+N network (a hub and 7 satellite sites run by one provider), a summer programme with a
by-day class and a by-week class, 10% of seats held for gig workers' children, an after-school class
running today at the hub, and a fund paying members 15 % of the fee; then a parent who registers a
child with a second guardian. Each service is found at ``127.0.0.1:<SERVICE>_HTTP_PORT`` (8101-8104).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import os
import shlex
import uuid
from typing import Any

import httpx

from shared.timezones import LOCAL_TIME
from testkit.city import SUMMER, City, Network, token
from testkit.funds import members_discount

PORTS = {"enrollment": 8101, "attendance": 8102, "subsidy": 8103, "notify": 8104}
# Reads the newest pick-up code in a guardian's inbox (empty until it has arrived).
READ_CODE = (
    'python3 -c \'import json, re, sys; print(next((re.search(r"\\d{6}", m["body"])[0] '
    'for m in json.load(sys.stdin)["notifications"] if m["source_type"] == "pickup.code_issued"), ""))\''
)

CONFIRM_WITH_CODE = '"{\\"code\\": \\"$CODE\\"}"'  # the JSON body, in double quotes so the shell fills in $CODE


def url(service: str) -> str:
    return f"http://127.0.0.1:{os.environ.get(f'{service.upper()}_HTTP_PORT', PORTS[service])}"


def get(bearer: str, address: str) -> str:
    return f'curl -s -H "Authorization: Bearer ${bearer}" "{address}"'


def post(bearer: str, address: str, body: dict[str, Any] | str) -> str:
    data = body if isinstance(body, str) else shlex.quote(json.dumps(body, default=str))
    return (
        f'curl -s -X POST "{address}" -H "Authorization: Bearer ${bearer}" -H "Content-Type: application/json" '
        f'-H "Idempotency-Key: demo-$(date +%s%N)" -d {data}'
    )


async def after_school_today(city: City, network: Network, today: dt.date, **options: Any) -> uuid.UUID:
    """A programme and class (``options`` as in ``class_body``) meeting today at the hub, so that
    check-in and pick-up can be tried."""
    programme = (
        await city.post(
            "/programmes",
            {
                "network_id": str(network.network_id),
                "name": "课后托管",
                "season": "after_school",
                "starts_on": today.isoformat(),
                "ends_on": today.isoformat(),
            },
            network.union.staff,
        )
    ).json()
    return await city.klass(
        dataclasses.replace(network, programme_id=uuid.UUID(programme["programme_id"])), days=[today], **options
    )


WEB_URL = f"http://127.0.0.1:{os.environ.get('WEB_HTTP_PORT', '8100')}"  # ./tuoguan up serves the pages there


async def main() -> None:
    today = dt.datetime.now(LOCAL_TIME).date()
    async with httpx.AsyncClient(base_url=url("enrollment"), timeout=30) as http:
        city = City(http)
        wuhan = await city.union("武汉市总工会")
        steel = await city.union("武钢工会", level="industry", parent=wuhan)
        network = await city.network(steel, satellites=7)
        quota = [{"priority_group": "gig", "seats": 4, "release_at": "2027-06-25T00:00:00+08:00"}]
        by_day = await city.klass(network, capacity=40, days=SUMMER, quotas=quota)
        by_week = await city.klass(network, capacity=40, days=SUMMER, mode="week", site_id=network.satellite_ids[0])
        running_today = await after_school_today(city, network, today)
        fund = await members_discount(url("subsidy"), steel.staff, percent_bp=1500)
        parent = city.parent(steel)
        child = await city.child(parent, category="gig", guardians=2)
    provider = token("provider_staff", provider_id=network.provider_id)
    first = str(parent.member_id)
    (second,) = [g for g in child["guardian_ids"] if g != first]
    e, a, s, n = (url(name) for name in PORTS)
    c, hub, grandma = child["child_id"], network.hub_id, child["authorised_adult_ids"][0]
    print(f"""
Demo city ready.
  union 武钢工会:                 {steel.union_id}
  child:                          {c}
  guardian 1 (the parent below):  {first}
  guardian 2:                     {second}
  pick-up adult 王奶奶:           {grandma}
  class booked by the day:        {by_day}
  class booked by the week:       {by_week}
  class running today ({today}):  {running_today}, at the hub site {hub}
  provider (runs every site):     {network.provider_id}
  members' fund (15 % of fees):   {fund}

In the browser, {WEB_URL}/signin (development sign-in):
  a parent:   union {steel.union_id}, member {first}; then add the child {c} by its number
              and open the class {by_day}
  site staff: provider {network.provider_id}; then open the class running today, {running_today}
  union staff: union {steel.union_id}

Paste these lines in order (tokens live 12 hours).

export STAFF={steel.staff}
export PARENT={parent.token}
export PROVIDER={provider}
export GUARDIAN2=$(./tuoguan token --role parent --union {steel.union_id} --member {second})

# Free seats of the class booked by the day, then book two days: confirmed at once.
{get("PARENT", f"{e}/classes/{by_day}/availability?from={SUMMER[0]}&to={SUMMER[4]}")}
{post("PARENT", f"{e}/bookings", {"child_id": c, "class_id": str(by_day), "days": [SUMMER[0], SUMMER[1]]})}

# A moment later: the child is on attendance's roster, subsidy approved money, each guardian has a message.
{get("STAFF", f"{a}/classes/{by_day}/roster/{SUMMER[0]}")}
{get("PARENT", f"{s}/children/{c}/applications")}
{get("PARENT", f"{n}/guardians/{first}/notifications")}
{get("GUARDIAN2", f"{n}/guardians/{second}/notifications")}

# Today: book the class running today, check the child in, and hand them over to 王奶奶 with the code
# the guardians receive.
{post("PARENT", f"{e}/bookings", {"child_id": c, "class_id": str(running_today), "days": [today]})}
{post("PROVIDER", f"{a}/checkins", {"child_id": c, "site_id": str(hub), "temperature_c": 36.6, "symptoms": []})}
export ATTEMPT=$({post("PROVIDER", f"{a}/pickups", {"child_id": c, "adult_id": grandma})} | python3 -c 'import json, sys; print(json.load(sys.stdin)["attempt_id"])')
export CODE=$({get("PARENT", f"{n}/guardians/{first}/notifications")} | {READ_CODE})
{post("PROVIDER", f"{a}/pickups/$ATTEMPT/confirmation", CONFIRM_WITH_CODE)}
""")


if __name__ == "__main__":
    asyncio.run(main())
