"""Drive the enrollment API the way union staff and parents do: build a union tree with a 1+N
network and classes, register children, book. Used by the demo, tests and benchmarks."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from shared.auth import DEFAULT_MAX_TTL_S, mint
from shared.principal import Principal
from shared.timezones import local_today

# The working days of summer 2027, from Monday 5 July for eight weeks.
SUMMER = [
    dt.date(2027, 7, 5) + dt.timedelta(days=i)
    for i in range(56)
    if (dt.date(2027, 7, 5) + dt.timedelta(days=i)).weekday() < 5
]


def token(role: str, **ids: uuid.UUID | None) -> str:
    """A development token, living as long as one from ``./tuoguan token``."""
    return mint(Principal(sub=f"{role}-{uuid.uuid4().hex[:8]}", role=role, **ids), ttl_s=DEFAULT_MAX_TTL_S)


@dataclass(frozen=True)
class Union:
    union_id: uuid.UUID
    staff: str  # a staff token of this union


@dataclass(frozen=True)
class Parent:
    member_id: uuid.UUID
    union_id: uuid.UUID
    token: str


@dataclass(frozen=True)
class Network:
    network_id: uuid.UUID
    union: Union
    provider_id: uuid.UUID
    hub_id: uuid.UUID
    satellite_ids: list[uuid.UUID]
    programme_id: uuid.UUID
    contract_id: uuid.UUID | None = None  # the provider contract its sites run under


class City:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.admin = token("admin")

    async def post(
        self, path: str, body: dict[str, Any], bearer: str, *, expect: int | None = 201, key: str | None = None
    ) -> httpx.Response:
        """POST a command; a dropped connection is retried with the same idempotency key, as a client should."""
        headers = {"Authorization": f"Bearer {bearer}", "Idempotency-Key": key or f"k-{uuid.uuid4()}"}
        for attempt in range(3):
            try:
                response = await self.http.post(path, json=body, headers=headers)
                break
            except httpx.TransportError:
                if attempt == 2:
                    raise
        if expect is not None and response.status_code != expect:
            raise AssertionError(f"POST {path} -> {response.status_code}: {response.text}")
        return response

    async def get(self, path: str, bearer: str, **params: Any) -> httpx.Response:
        return await self.http.get(path, params=params, headers={"Authorization": f"Bearer {bearer}"})

    async def union(self, name: str, level: str = "city", parent: Union | None = None) -> Union:
        body = {"name": name, "level": level, "parent_id": str(parent.union_id) if parent else None}
        created = await self.post("/unions", body, parent.staff if parent else self.admin)
        union_id = uuid.UUID(created.json()["union_id"])
        return Union(union_id, token("union_staff", union_id=union_id))

    async def network(
        self,
        union: Union,
        *,
        satellites: int = 1,
        starts_on: dt.date = SUMMER[0],
        ends_on: dt.date = SUMMER[-1],
        priority_order: list[str] | None = None,
        contract: bool = True,
    ) -> Network:
        """A provider, a hub and ``satellites``, and a programme from ``starts_on`` to ``ends_on``;
        with ``contract``, a provider contract for every site from today (or ``starts_on`` if
        earlier) to ``ends_on``, with places to spare, so that classes can be created there."""
        u = str(union.union_id)
        provider = (await self.post("/providers", {"union_id": u, "name": "阳光教育"}, union.staff)).json()
        network = (await self.post("/networks", {"union_id": u, "name": "1+N 托管网络"}, union.staff)).json()
        sites = []
        for i in range(1 + satellites):
            sites.append(
                (
                    await self.post(
                        "/sites",
                        {
                            "network_id": network["network_id"],
                            "provider_id": provider["provider_id"],
                            "role": "hub" if i == 0 else "satellite",
                            "name": f"站点{i}",
                        },
                        union.staff,
                    )
                ).json()["site_id"]
            )
        programme = (
            await self.post(
                "/programmes",
                {
                    "network_id": network["network_id"],
                    "name": "暑期托管",
                    "season": "summer",
                    "starts_on": starts_on.isoformat(),
                    "ends_on": ends_on.isoformat(),
                    **({"priority_order": priority_order} if priority_order else {}),
                },
                union.staff,
            )
        ).json()
        contract_id = None
        if contract:
            body = contract_body(
                union, provider["provider_id"], sites, min(starts_on, local_today()), max(ends_on, local_today())
            )
            contract_id = uuid.UUID((await self.post("/contracts", body, union.staff)).json()["contract_id"])
        return Network(
            uuid.UUID(network["network_id"]),
            union,
            uuid.UUID(provider["provider_id"]),
            uuid.UUID(sites[0]),
            [uuid.UUID(s) for s in sites[1:]],
            uuid.UUID(programme["programme_id"]),
            contract_id,
        )

    async def klass(self, network: Network, **options: Any) -> uuid.UUID:
        """Create a class (options as in ``class_body``) as the network's union staff."""
        created = await self.post("/classes", class_body(network, **options), network.union.staff)
        return uuid.UUID(created.json()["class_id"])

    def parent(self, union: Union) -> Parent:
        member_id = uuid.uuid4()
        return Parent(member_id, union.union_id, token("parent", union_id=union.union_id, member_id=member_id))

    async def child(
        self, parent: Parent, *, guardians: int = 1, verified: bool = True, **options: Any
    ) -> dict[str, Any]:
        """Register a child (options as in ``registration``) as the parent; each further guardian is
        another member of the parent's union, who accepts. A priority category is claimed with
        evidence and (``verified``) verified by staff of the parent's union, so the child books in it."""
        co_guardians = [self.co_guardian(parent) for _ in range(1, guardians)]
        created = (
            await self.post(
                "/children", registration(co_guardians=[g.member_id for g in co_guardians], **options), parent.token
            )
        ).json()
        for guardian in co_guardians:
            accepted = await self.accept(guardian, created["child_id"])
            created.update(
                guardian_ids=accepted["guardian_ids"],
                priority_group=accepted["priority_group"],
                invited_ids=[i for i in created["invited_ids"] if i != str(guardian.member_id)],
            )
        if verified and created["priority_group"] != "regular":
            decided = await self.verify(parent, created["child_id"], created["priority_group"])
            created["verified_group"] = decided["priority_group"]
        return created

    async def claim(self, parent: Parent, child_id: str, category: str, *, expect: int | None = 201) -> httpx.Response:
        """The parent claims a priority category for the child, with a document's reference as evidence."""
        body = {"category": category, "evidence": f"{category} 就业证明 编号 {uuid.uuid4().hex[:8]}"}
        return await self.post(f"/children/{child_id}/priority-claims", body, parent.token, expect=expect)

    async def verify(self, parent: Parent, child_id: str, category: str) -> dict[str, Any]:
        """Claim the category and have staff of the parent's union verify it."""
        claim = (await self.claim(parent, child_id, category)).json()
        staff = token("union_staff", union_id=parent.union_id)
        body = {"decision": "verify", "reason": "证明材料齐全"}
        return (await self.post(f"/priority-claims/{claim['claim_id']}/decision", body, staff, expect=200)).json()

    def co_guardian(self, parent: Parent) -> Parent:
        """Another member of the parent's union (a co-guardian to invite)."""
        member_id = uuid.uuid4()
        return Parent(member_id, parent.union_id, token("parent", union_id=parent.union_id, member_id=member_id))

    async def accept(self, guardian: Parent, child_id: str, *, expect: int | None = 200) -> dict[str, Any]:
        """The invited guardian accepts, authenticated as themself."""
        return (await self.post(f"/invitations/{child_id}/acceptance", {}, guardian.token, expect=expect)).json()

    async def agree(self, parent: Parent, child_id: str, programme_id: uuid.UUID, *, version: int | None = None) -> int:
        """The parent accepts the programme's custody agreement (托管协议) for the child: ``version``,
        or the current one. A programme with an agreement takes bookings only once it is accepted."""
        if version is None:
            current = await self.get(f"/programmes/{programme_id}/agreement", parent.token)
            version = int(current.json()["version"])
        path = f"/programmes/{programme_id}/agreements/{version}/acceptances"
        await self.post(path, {"child_id": child_id}, parent.token)
        return version

    async def book(
        self,
        parent: Parent,
        child_id: str,
        class_id: uuid.UUID,
        *,
        days: list[dt.date] | None = None,
        weeks: list[str] | None = None,
        expect: int | None = 201,
    ) -> httpx.Response:
        body: dict[str, Any] = {"child_id": child_id, "class_id": str(class_id)}
        if days is not None:
            body["days"] = [d.isoformat() for d in days]
        if weeks is not None:
            body["weeks"] = weeks
        return await self.post("/bookings", body, parent.token, expect=expect)


def contract_body(
    union: Union,
    provider_id: uuid.UUID | str,
    site_ids: list[uuid.UUID] | list[str],
    starts_on: dt.date,
    ends_on: dt.date,
    *,
    places: int = 1_000_000,  # as many as a contract may have: classes never run short of them
    fee: int = 4000,
) -> dict[str, Any]:
    """The body of ``POST /contracts``: the union contracts the provider for the sites and dates."""
    return {
        "union_id": str(union.union_id),
        "provider_id": str(provider_id),
        "site_ids": [str(s) for s in site_ids],
        "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(),
        "places": places,
        "fee_per_day_fen": fee,
        "fee_rules": "按天计费 见合同附件二",
        "reference": f"HT-{uuid.uuid4().hex[:8]}",
    }


def class_body(
    network: Network,
    *,
    capacity: int = 40,
    days: list[dt.date] | None = None,
    mode: str = "day",
    class_type: str = "school_age",
    quotas: list[dict] | None = None,
    site_id: uuid.UUID | None = None,
    opens: dt.datetime | None = None,
    fee: int = 4500,
    boarding: bool = False,
) -> dict[str, Any]:
    """The body of ``POST /classes``: a class at the network's hub (or ``site_id``) in its programme."""
    return {
        "programme_id": str(network.programme_id),
        "site_id": str(site_id or network.hub_id),
        "name": "小学托管班",
        "class_type": class_type,
        "capacity_per_day": capacity,
        "days": [d.isoformat() for d in (days or SUMMER[:5])],
        "booking_mode": mode,
        "fee_per_day_fen": fee,
        "registration_opens_at": (opens or dt.datetime(2026, 1, 1, tzinfo=dt.UTC)).isoformat(),
        "quotas": quotas or [],
        **({"boarding": True} if boarding else {}),
    }


def registration(
    *,
    category: str = "regular",
    birth_date: dt.date = dt.date(2017, 9, 1),
    name: str = "小明",
    co_guardians: list[uuid.UUID] | None = None,
) -> dict[str, Any]:
    """The body of ``POST /children``: the calling parent is the first guardian; ``co_guardians`` are
    other members, invited (they are linked once they accept)."""
    others = [
        {
            "member_id": str(member),
            "display_name": f"家长{i}",
            "employment_category": "regular",
            "channels": [{"kind": "inapp", "address": "app"}],
        }
        for i, member in enumerate(co_guardians or [], 1)
    ]
    return {
        "display_name": name,
        "birth_date": birth_date.isoformat(),
        "guardians": [
            {
                "display_name": "王芳",
                "employment_category": category,
                "channels": [{"kind": "inapp", "address": "app"}],
            },
            *others,
        ],
        "authorised_adults": [{"display_name": "王奶奶", "relationship": "grandmother"}],
        "emergency_contact": {"display_name": "王奶奶", "phone": "13800000000"},
    }
