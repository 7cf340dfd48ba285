"""The webhook channel connects to the address it checked, while TLS still speaks to (SNI) and
verifies the certificate of the name in the URL: pinning the address costs no security."""

from __future__ import annotations

import asyncio
import functools
import ssl
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509

from services.notify.channels import Delivery, DeliveryFailed
from services.notify.channels.addresses import Reach
from services.notify.channels.http_push import WebhookPost
from services.notify.channels.signing import new_secret, verify
from tests.support.tls import self_signed

NAME = "parent-app.test"


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    return self_signed(tmp_path, x509.DNSName(NAME), NAME)


@pytest.fixture
async def receiver(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[dict]:
    """A TLS receiver on loopback with a certificate for NAME, which notify's client trusts."""
    seen: dict = {}
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    context.sni_callback = lambda _socket, name, _context: seen.__setitem__("sni", name)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        fields = (line.split(": ", 1) for line in head.split("\r\n")[1:] if ": " in line)
        headers = {name.lower(): value for name, value in fields}
        seen.update(headers=headers, body=await reader.readexactly(int(headers["content-length"])))
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=context)
    seen["port"] = server.sockets[0].getsockname()[1]
    monkeypatch.setattr(
        httpx,
        "AsyncClient",
        functools.partial(httpx.AsyncClient, verify=ssl.create_default_context(cafile=str(certificate[0]))),
    )
    try:
        yield seen
    finally:
        server.close()
        await server.wait_closed()


def delivery(url: str, secret: str) -> Delivery:
    return Delivery(
        uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), "webhook", url, "小红 08:12 已入园。", False, "zh-CN", secret
    )


async def test_the_checked_address_is_dialled_and_the_name_is_verified(receiver: dict, tmp_path: Path) -> None:
    hosts = tmp_path / "hosts"
    hosts.write_text(f"127.0.0.1 {NAME} other-name.test\n")
    channel = WebhookPost(reach=Reach.of("127.0.0.0/8", allow_http=False, hosts_file=hosts), timeout_s=10)
    secret = new_secret()
    assert await channel.send(delivery(f"https://{NAME}:{receiver['port']}/hook", secret)) == "200"
    assert receiver["sni"] == NAME and receiver["headers"]["host"] == f"{NAME}:{receiver['port']}"
    assert verify(secret, receiver["headers"], receiver["body"])
    with pytest.raises(DeliveryFailed, match="CERTIFICATE_VERIFY_FAILED"):
        await channel.send(delivery(f"https://other-name.test:{receiver['port']}/hook", secret))
