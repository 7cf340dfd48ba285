"""Which webhook addresses notify may reach: https, on the public internet only.

A URL is checked when a guardian registers it and again at every send. At send time the host
name is resolved once, every address it resolves to is checked, and the connection goes to a
checked address (TLS still verifies the certificate for the name): a name that resolved to a
public address at registration and to an inside one later (DNS rebinding) is never connected to.

``Reach`` carries the exceptions tests need (loopback receivers, plain http, a hosts file they
can switch); production sets none of them.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class AddressRefused(Exception):
    """The URL may not be reached; ``reason`` says why, in words fit for the guardian."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Reach:
    """What may be reached beyond the public internet (tests only), and how names are resolved."""

    allow_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    allow_http: bool = False
    hosts_file: Path | None = None

    @classmethod
    def of(cls, networks: str, allow_http: bool, hosts_file: Path | None) -> Reach:
        return cls(
            tuple(ipaddress.ip_network(n.strip()) for n in networks.split(",") if n.strip()), allow_http, hosts_file
        )


@dataclass(frozen=True)
class Target:
    """A checked URL and the addresses its host resolved to, all of them allowed."""

    url: str
    host: str
    addresses: list[IP] = field(default_factory=list)


def inside_reason(ip: IP) -> str | None:
    """Why ``ip`` is not on the public internet, or None if it is."""
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        return inside_reason(embedded)
    for kind, inside in (
        ("a loopback", ip.is_loopback),
        ("an unspecified", ip.is_unspecified),
        ("a link-local (cloud metadata)", ip.is_link_local),
        ("a multicast", ip.is_multicast),
        ("a private", ip.is_private),
        ("a reserved", ip.is_reserved),
    ):
        if inside:
            return f"{kind} address"
    if not ip.is_global:  # e.g. carrier-grade NAT 100.64.0.0/10, where Alibaba Cloud's metadata lives
        return "a non-public address"
    return None


def _embedded_ipv4(ip: IP) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo, NAT64), which is what is reached."""
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def check_url(url: str, reach: Reach) -> tuple[str, int]:
    """The host and port of ``url`` if its form is acceptable; raises :class:`AddressRefused`."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise AddressRefused("the address is not a valid URL") from exc
    if parts.scheme != "https" and not (reach.allow_http and parts.scheme == "http"):
        raise AddressRefused("the address must start with https://")
    if not parts.hostname:
        raise AddressRefused("the address has no host name")
    if parts.username is not None or parts.password is not None:
        raise AddressRefused("the address may not carry a user name or password")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def check_address(ip: IP, reach: Reach) -> None:
    if any(ip in network for network in reach.allow_networks):
        return
    if (reason := inside_reason(ip)) is not None:
        raise AddressRefused(f"the address leads to {reason}, not to the public internet")


async def resolve(url: str, reach: Reach) -> Target:
    """Check ``url``, resolve its host once and check every address; raises :class:`AddressRefused`."""
    host, port = check_url(url, reach)
    addresses = await _lookup(host, port, reach)
    if not addresses:
        raise AddressRefused("the address's host name does not resolve")
    for ip in addresses:
        check_address(ip, reach)
    return Target(url, host, addresses)


async def _lookup(host: str, port: int, reach: Reach) -> list[IP]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    if reach.hosts_file is not None and (pinned := _from_hosts_file(reach.hosts_file, host)):
        return pinned
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise AddressRefused("the address's host name does not resolve") from exc
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in found))


def _from_hosts_file(path: Path, host: str) -> list[IP]:
    """Addresses for ``host`` in a hosts-style file ("<ip> <name>..." lines), read at every lookup."""
    found = []
    for line in path.read_text().splitlines():
        ip, *names = line.split("#")[0].split() or [""]
        if host.lower() in (n.lower() for n in names):
            found.append(ipaddress.ip_address(ip))
    return found
