"""Webhook addresses lead to the public internet only: checked when a parent registers one (see
test_in_process.py), and again at every send, so that a name which later resolves to the
inside (DNS rebinding) is never connected to.

This module's notify has no exception for loopback. It resolves names through a hosts file the
test rewrites (NOTIFY_WEBHOOK_HOSTS_FILE), standing in for a DNS server that changes its answer."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import httpx
import pytest

from testkit.processes import free_port
from tests.conftest import Stack
from tests.notify.conftest import INAPP, Family, checked_in
from tests.support.polling import eventually


@pytest.fixture(scope="module")
def notify_env(hosts_file: Path) -> dict[str, str]:
    return {"NOTIFY_WEBHOOK_HOSTS_FILE": str(hosts_file)}


async def test_an_address_that_turns_to_the_inside_after_registration_is_not_connected_to(
    stack: Stack, client: httpx.AsyncClient, hosts_file: Path
) -> None:
    connections = []

    async def inside(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer.get_extra_info("peername"))
        writer.close()

    port = free_port()
    listener = await asyncio.start_server(inside, "127.0.0.1", port)
    name = f"parent-app-{uuid.uuid4().hex[:8]}.test"
    try:
        hosts_file.write_text(f"93.184.216.34 {name}\n")  # public when the parent registers it
        family = await Family.register(stack, client, [INAPP])
        assert (await family.register_webhook(0, f"https://{name}:{port}/hook")).status_code == 201
        hosts_file.write_text(f"127.0.0.1 {name}\n")  # inside when notify sends
        assert await eventually(lambda: family.has_status(0, "webhook", "failed", confirmation=True)), (
            "not even the confirmation code goes to the inside"
        )
        await confirmed_without_code(stack, family)
        await family.tell(checked_in(family))
        assert await eventually(lambda: family.has_status(0, "webhook", "failed"))
    finally:
        listener.close()
        await listener.wait_closed()
    assert connections == [], "notify never opened a connection to the inside address"
    (webhook,) = [d for d in await family.deliveries(0) if d["channel"] == "webhook"]
    assert webhook["last_error"] == "the receiver's address is not allowed"


async def confirmed_without_code(stack: Stack, family: Family) -> None:
    """As if the guardian had entered the code (which could not reach the address)."""
    conn = await stack.connect("notify")
    try:
        await conn.execute(
            "UPDATE contact_addresses SET state = 'confirmed' WHERE guardian_id = $1", family.guardian_id(0)
        )
    finally:
        await conn.close()
