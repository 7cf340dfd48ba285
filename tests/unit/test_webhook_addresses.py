"""Which addresses a webhook may lead to: the public internet, and nothing inside."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from services.notify.channels.addresses import AddressRefused, Reach, inside_reason, resolve

INSIDE = [
    "127.0.0.1",
    "10.0.0.8",
    "172.16.5.4",
    "192.168.1.10",
    "169.254.169.254",
    "100.64.0.1",
    "100.100.100.200",
    "0.0.0.0",
    "224.0.0.251",
    "239.1.2.3",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.0.170",
    "::1",
    "::",
    "fe80::1",
    "fd00:ec2::254",
    "ff02::1",
    "::ffff:10.0.0.1",
    "::ffff:127.0.0.1",
    "64:ff9b::a00:1",
    "2002:a00:1::",
    "::10.0.0.1",
    "2001:db8::1",
]
PUBLIC = ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "::ffff:93.184.216.34"]


@pytest.mark.parametrize("address", INSIDE)
def test_an_inside_address_is_named_as_such(address: str) -> None:
    assert inside_reason(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", PUBLIC)
def test_a_public_address_is_fine(address: str) -> None:
    assert inside_reason(ipaddress.ip_address(address)) is None


async def test_a_name_that_turns_inside_is_refused_at_the_next_lookup(tmp_path: Path) -> None:
    hosts = tmp_path / "hosts"
    reach = Reach(hosts_file=hosts)
    hosts.write_text("93.184.216.34 parent-app.test\n")
    target = await resolve("https://parent-app.test/hook", reach)
    assert target.host == "parent-app.test" and [str(a) for a in target.addresses] == ["93.184.216.34"]
    hosts.write_text("93.184.216.34 parent-app.test\n192.168.0.9 parent-app.test\n")
    with pytest.raises(AddressRefused, match="private"):
        await resolve("https://parent-app.test/hook", reach)


async def test_only_the_allowed_networks_and_plain_http_are_exceptions() -> None:
    tests_only = Reach.of("127.0.0.0/8", allow_http=True, hosts_file=None)
    assert (await resolve("http://127.0.0.1:9/hook", tests_only)).addresses == [ipaddress.ip_address("127.0.0.1")]
    with pytest.raises(AddressRefused, match="private"):
        await resolve("http://10.0.0.1/hook", tests_only)
    with pytest.raises(AddressRefused, match="https"):
        await resolve("http://93.184.216.34/hook", Reach())
