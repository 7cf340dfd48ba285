"""The audit trail's hash chain: sealing audit rows into it, and checking it.

    python -m shared.audit verify [--service NAME ...]     (./tuoguan audit verify)

Commands insert their audit rows (shared/commands.py) unchained: the audit costs a command one
INSERT and no lock shared with other commands. A sealer (a timer in every service instance, one
at a time under an advisory lock) then links the rows whose transactions are certainly over: those
whose transaction id is below the oldest transaction still running. Row ids come from a sequence
and commit out of order, so the chain's order is (transaction id, row id) instead; no row can
later appear before a sealed one. The price: a row is sealed one tick or so after its commit, and
later while a long transaction runs anywhere on the cluster.

Each link holds the previous link's hash and sha256(previous hash || the row's canonical
encoding). Verification walks the links, recomputes each hash from its row, looks for rows slipped
in under the sealed part, and names the first row that does not fit. The runtime role can neither
change nor delete rows or links (deploy/schema.py); what the chain adds is that the owner cannot
either without it showing, unless they rewrite every later link: compare the printed head with
one recorded earlier to rule that out.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import os
import sys
from dataclasses import dataclass

import asyncpg
import orjson

from shared.db import acquire, columns, connect
from shared.topics import SUBSCRIPTIONS

CONTENT = (
    "audit_id",
    "at",
    "service",
    "actor_sub",
    "actor_role",
    "actor_union_id",
    "actor_provider_id",
    "actor_member_id",
    "action",
    "target",
    "idempotency_key",
    "status_code",
    "correlation_id",
)
GENESIS = bytes(32)
BATCH = 5000
_SEAL_LOCK = 7_263_002  # advisory lock id: one sealer at a time per database


def canonical(row: asyncpg.Record) -> bytes:
    """A row's content as bytes that do not depend on how it was read: sorted keys, UTC time."""
    content = {name: row[name] for name in CONTENT}
    content["at"] = row["at"].astimezone(dt.UTC).isoformat()
    return orjson.dumps(content, option=orjson.OPT_SORT_KEYS, default=str)  # asyncpg's UUID as text


def chained(prev_hash: bytes, row: asyncpg.Record) -> bytes:
    return hashlib.sha256(prev_hash + canonical(row)).digest()


async def seal(conn: asyncpg.Connection, *, batch: int = BATCH) -> int:
    """Chain up to ``batch`` audit rows of finished transactions; return how many (0 while another
    sealer is at work)."""
    async with conn.transaction():
        if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", _SEAL_LOCK):
            return 0
        last = await conn.fetchrow(
            "SELECT position, audit_id, xact, hash FROM audit_chain ORDER BY position DESC LIMIT 1"
        )
        # Every transaction below this id has ended, so all its rows are visible to the next statement.
        below = await conn.fetchval("SELECT pg_snapshot_xmin(pg_current_snapshot())")
        rows = await conn.fetch(
            f"""SELECT xact, {", ".join(CONTENT)} FROM audit_log
                WHERE (xact, audit_id) > ($1::xid8, $2::bigint) AND xact < $3::xid8
                ORDER BY xact, audit_id LIMIT $4""",
            last["xact"] if last else 0,
            last["audit_id"] if last else 0,
            below,
            batch,
        )
        position, prev = (last["position"], last["hash"]) if last else (0, GENESIS)
        links = []
        for row in rows:
            position += 1
            links.append((position, row["audit_id"], row["xact"], prev, prev := chained(prev, row)))
        if links:
            await conn.execute(
                """INSERT INTO audit_chain (position, audit_id, xact, prev_hash, hash)
                   SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::xid8[], $4::bytea[], $5::bytea[])""",
                *columns(links, 5),
            )
    return len(links)


async def seal_pending(pool: asyncpg.Pool) -> None:
    """Seal until no finished row is left unsealed."""
    async with acquire(pool) as conn:
        while await seal(conn) == BATCH:
            pass


@dataclass(frozen=True)
class Verdict:
    """What checking one database's chain found."""

    checked: int
    awaiting: int = 0
    head: bytes = GENESIS
    broken: str | None = None

    def line(self, service: str) -> str:
        if self.broken:
            return f"{service}: {self.checked} rows checked: BROKEN at {self.broken}"
        return (
            f"{service}: {self.checked} rows checked, {self.awaiting} awaiting their seal, "
            f"head {self.head.hex()[:16]}: ok"
        )


async def verify(conn: asyncpg.Connection) -> Verdict:
    """Walk the chain of the database ``conn`` is on; stop at the first row that does not fit."""
    checked, prev, key = 0, GENESIS, (0, 0)
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        async for link in conn.cursor(
            """SELECT c.position, c.audit_id AS sealed_id, c.xact AS sealed_xact, c.prev_hash, c.hash AS seal, a.*
                   FROM audit_chain c LEFT JOIN audit_log a USING (audit_id) ORDER BY c.position"""
        ):
            row = link["sealed_id"]
            if link["position"] != checked + 1 or link["prev_hash"] != prev:
                return Verdict(checked, broken=f"row {row}: the link before it is missing or changed")
            if link["audit_id"] is None:
                return Verdict(checked, broken=f"row {row}: it was deleted")
            if (link["sealed_xact"], row) <= key:
                return Verdict(checked, broken=f"row {row}: it is out of order")
            if chained(prev, link) != link["seal"]:
                return Verdict(checked, broken=f"row {row}: its content does not match its seal")
            checked, prev, key = checked + 1, link["seal"], (link["sealed_xact"], row)
        slipped = await conn.fetchval(
            """SELECT min(audit_id) FROM audit_log a WHERE (xact, audit_id) <= ($1::xid8, $2::bigint)
               AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.audit_id = a.audit_id)""",
            *key,
        )
        if slipped is not None:
            return Verdict(checked, broken=f"row {slipped}: it was added among sealed rows")
        awaiting = await conn.fetchval(
            "SELECT count(*) FROM audit_log WHERE (xact, audit_id) > ($1::xid8, $2::bigint)", *key
        )
    return Verdict(checked, awaiting, prev)


async def _verify_each(services: list[str]) -> int:
    worst = 0
    for service in services:
        url = os.environ.get(f"{service.upper()}_DATABASE_URL")
        if not url:
            print(f"{service}: {service.upper()}_DATABASE_URL is not set", file=sys.stderr)
            worst = max(worst, 2)
            continue
        conn = await connect(url)
        try:
            verdict = await verify(conn)
        finally:
            await conn.close()
        print(verdict.line(service), flush=True)
        worst = max(worst, 1 if verdict.broken else 0)
    return worst


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tuoguan audit", description="Check the audit trails' hash chains.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("verify", help="walk each service's chain; exit 1 when one is broken")
    check.add_argument("--service", action="append", choices=list(SUBSCRIPTIONS), help="only this service")
    args = parser.parse_args(argv)
    return asyncio.run(_verify_each(args.service or list(SUBSCRIPTIONS)))


if __name__ == "__main__":
    sys.exit(main())
