"""Seed a running system with a small city and print what to try next.

    ./tuoguan demo

It creates, through the enrollment API as union staff would: the 武钢 union with a 1+N network
(a hub and 7 satellite sites run by one provider), a summer programme with a by-day class and a
by-week class, 10% of seats held for gig workers' children; then a parent with a registered child.
"""

from __future__ import annotations

import asyncio
import os

import httpx

from deploy.city import SUMMER, City


async def main() -> None:
    url = f"http://127.0.0.1:{os.environ.get('ENROLLMENT_HTTP_PORT', '8101')}"
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        city = City(http)
        wuhan = await city.union("武汉市总工会")
        steel = await city.union("武钢工会", level="industry", parent=wuhan)
        network = await city.network(steel, satellites=7)
        quota = [{"priority_group": "gig", "seats": 4, "release_at": "2027-06-25T00:00:00+08:00"}]
        by_day = await city.klass(network, capacity=40, days=SUMMER, quotas=quota)
        by_week = await city.klass(network, capacity=40, days=SUMMER, mode="week", site_id=network.satellite_ids[0])
        parent = city.parent(steel)
        child = await city.child(parent, category="gig", guardians=2)
    print(f"""
Demo city ready.
  union staff token (武钢工会):  {steel.staff}
  parent token:                 {parent.token}
  child:                        {child['child_id']}
  class booked by the day:      {by_day}
  class booked by the week:     {by_week}

Try:
  curl -s -H "Authorization: Bearer $PARENT" "{url}/classes/{by_day}/availability?from={SUMMER[0]}&to={SUMMER[4]}"
  curl -s -X POST {url}/bookings -H "Authorization: Bearer $PARENT" -H 'Content-Type: application/json' \\
       -H "Idempotency-Key: demo-$(date +%s)" \\
       -d '{{"child_id": "{child['child_id']}", "class_id": "{by_day}", "days": ["{SUMMER[0]}", "{SUMMER[1]}"]}}'
  (export PARENT=<the parent token above> first)
""")


if __name__ == "__main__":
    asyncio.run(main())
