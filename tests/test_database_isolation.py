"""Each service owns its database; its login role cannot even connect to another service's."""

from __future__ import annotations

import itertools
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from tests.conftest import Stack


def _same_role_other_database(own_url: str, other_url: str) -> str:
    own, other = urlsplit(own_url), urlsplit(other_url)
    return urlunsplit((own.scheme, own.netloc, other.path, "", ""))


async def test_each_service_role_reaches_its_own_database(stack: Stack) -> None:
    for service in stack.database_urls:
        conn = await stack.connect(service)
        try:
            assert await conn.fetchval("SELECT current_user") == urlsplit(stack.database_urls[service]).username
        finally:
            await conn.close()


@pytest.mark.parametrize(
    "own, other", list(itertools.permutations(["enrollment", "attendance", "subsidy", "notify"], 2))
)
async def test_a_service_role_cannot_connect_to_another_services_database(stack: Stack, own: str, other: str) -> None:
    url = _same_role_other_database(stack.database_urls[own], stack.database_urls[other])
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied for database"):
        await asyncpg.connect(url)
