"""Parents watching their inbox live: many streams share one database connection, one guardian
cannot hold streams open without end, and a stream ends when its token does."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx

from shared.auth import Principal, mint
from testkit.city import token
from tests.conftest import Stack
from tests.notify.conftest import INAPP, Family
from tests.support.polling import eventually


def stream_url(notify, family: Family) -> str:
    return f"{notify.url}/guardians/{family.guardian_id(0)}/notifications/stream"


@dataclass
class Live:
    """An open stream and its lines, kept together: dropping the line reader closes the stream."""

    status_code: int
    lines: AsyncIterator[str]


async def open_stream(stack: contextlib.AsyncExitStack, sse: httpx.AsyncClient, url: str, bearer: str) -> Live:
    stream = await stack.enter_async_context(sse.stream("GET", url, headers={"Authorization": f"Bearer {bearer}"}))
    live = Live(stream.status_code, stream.aiter_lines())
    if stream.status_code == 200:
        assert (await anext(live.lines)) == ": connected"
    return live


async def listening_connections(stack: Stack) -> int:
    conn = await stack.connect("notify")
    try:
        return await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()"
        )
    finally:
        await conn.close()


async def test_many_live_streams_share_one_listening_connection(
    stack: Stack, client: httpx.AsyncClient, notify
) -> None:
    families = [await Family.register(stack, client, [INAPP]) for _ in range(4)]
    async with httpx.AsyncClient(timeout=30) as sse, contextlib.AsyncExitStack() as streams:
        opened = [await open_stream(streams, sse, stream_url(notify, f), f.token(0)) for f in families]
        assert [o.status_code for o in opened] == [200] * 4
        assert await listening_connections(stack) == 1


async def test_a_guardian_cannot_hold_streams_open_without_end(stack: Stack, client: httpx.AsyncClient, notify) -> None:
    family = await Family.register(stack, client, [INAPP])
    url = stream_url(notify, family)
    async with httpx.AsyncClient(timeout=30) as sse, contextlib.AsyncExitStack() as streams:
        opened = [await open_stream(streams, sse, url, family.token(0)) for _ in range(4)]
    assert [o.status_code for o in opened] == [200, 200, 200, 429]
    async with httpx.AsyncClient(timeout=30) as sse, contextlib.AsyncExitStack() as streams:
        # closed streams free their places
        assert (await open_stream(streams, sse, url, family.token(0))).status_code == 200


async def test_a_stream_ends_when_its_token_expires(stack: Stack, client: httpx.AsyncClient, notify) -> None:
    family = await Family.register(stack, client, [INAPP])
    short = mint(
        Principal(sub="parent-short", role="parent", union_id=uuid.uuid4(), member_id=family.guardian_id(0)), ttl_s=3
    )
    async with httpx.AsyncClient(timeout=30) as sse, contextlib.AsyncExitStack() as streams:
        stream = await open_stream(streams, sse, stream_url(notify, family), short)
        lines = [line async for line in _bounded(stream.lines, 20)]
    assert "event: expired" in lines, lines


async def _bounded(lines, timeout_s: float):
    async with asyncio.timeout(timeout_s):
        async for line in lines:
            yield line


async def test_an_admin_stream_is_capped_too(stack: Stack, client: httpx.AsyncClient, notify) -> None:
    """The cap is per guardian watched, whoever watches: a stolen admin token is no way around it."""
    family = await Family.register(stack, client, [INAPP])
    await eventually(lambda: _known(client, family))
    url = stream_url(notify, family)
    async with httpx.AsyncClient(timeout=30) as sse, contextlib.AsyncExitStack() as streams:
        opened = [await open_stream(streams, sse, url, token("admin")) for _ in range(4)]
    assert opened[-1].status_code == 429


async def _known(client: httpx.AsyncClient, family: Family) -> bool:
    answer = await client.get(
        f"/guardians/{family.guardian_id(0)}/notifications", headers={"Authorization": f"Bearer {family.token(0)}"}
    )
    return answer.status_code == 200
