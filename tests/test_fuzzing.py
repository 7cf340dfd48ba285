"""schemathesis, a property-based fuzzer, against each service's OpenAPI document: whatever it
sends, with the token of any role, no answer is a 5xx. The callers belong to a real union tree
(a district with a network and its provider), so their commands get past the scope checks and
into the handlers. The admin gets every phase (schema-boundary coverage, random fuzzing, stateful
sequences); the other roles, whose boundary cases the admin's run already sends, get random
fuzzing with fewer examples."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from testkit.city import City, token
from tests.conftest import SharedStarter, Stack

SERVICES = ["enrollment", "attendance", "subsidy", "notify"]
# Examples per operation. The roles other than the admin mostly meet the scope checks' 403; 3
# examples cost half the CPU of 5 (measured: 2.3 s against 4.3 s of schemathesis for attendance)
# and still send 2 to 3 requests to every operation.
EXAMPLES = {"admin": 15, "union_staff": 3, "provider_staff": 3, "parent": 3}
EVERY_PHASE = {"admin"}


def fuzz(url: str, bearer: str, examples: int, every_phase: bool) -> subprocess.CompletedProcess:
    st = Path(sys.executable).with_name("st")
    return subprocess.run(
        [
            str(st if st.exists() else shutil.which("st")),
            "run",
            f"{url}/openapi.json",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            str(examples),
            "--seed",
            "2026",
            "--request-timeout",
            "20",
            "--header",
            f"Authorization: Bearer {bearer}",
            # The live inbox stream never ends by design; tests/notify exercises it.
            *([] if every_phase else ["--phases", "fuzzing"]),
            "--exclude-path-regex",
            "/stream$",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )


async def callers(enrollment_url: str) -> dict[str, str]:
    """A token per role: staff of a district with a network, its provider's staff, a member of it."""
    async with httpx.AsyncClient(base_url=enrollment_url, timeout=30) as http:
        city = City(http)
        district = await city.union("郑州市总工会二七区", level="district", parent=await city.union("郑州市总工会"))
        network = await city.network(district, satellites=0)
    return {
        "admin": city.admin,
        "union_staff": district.staff,
        "parent": city.parent(district).token,
        "provider_staff": token("provider_staff", provider_id=network.provider_id),
    }


@pytest.mark.parametrize("service", SERVICES)
async def test_no_request_makes_a_service_answer_5xx(stack: Stack, module_service: SharedStarter, service: str) -> None:
    processes = {name: await module_service(name) for name in ("enrollment", service)}
    bearer = await callers(processes["enrollment"].url)
    results = await asyncio.gather(  # the roles at once: the service answers them all together
        *(
            asyncio.to_thread(fuzz, processes[service].url, bearer[role], examples, role in EVERY_PHASE)
            for role, examples in EXAMPLES.items()
        )
    )
    failures = {
        role: result.stdout[-4000:] + result.stderr[-1000:]
        for role, result in zip(EXAMPLES, results, strict=True)
        if result.returncode != 0
    }
    assert not failures, "\n\n".join(f"--- as {role} ---\n{out}" for role, out in failures.items())
