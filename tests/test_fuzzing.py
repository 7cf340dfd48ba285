"""schemathesis, a property-based fuzzer, against each service's OpenAPI document: whatever it
sends with a valid admin token, no answer is a 5xx."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.city import token
from tests.conftest import Stack

SERVICES = ["enrollment", "attendance", "subsidy", "notify"]
EXAMPLES = 15


def fuzz(url: str, bearer: str) -> subprocess.CompletedProcess:
    st = Path(sys.executable).with_name("st")
    return subprocess.run(
        [str(st if st.exists() else shutil.which("st")), "run", f"{url}/openapi.json", "--checks", "not_a_server_error",
         "--max-examples", str(EXAMPLES), "--seed", "2026", "--request-timeout", "20",
         "--header", f"Authorization: Bearer {bearer}",
         # The live inbox stream never ends by design; tests/notify exercises it.
         "--exclude-path-regex", "/stream$"],
        capture_output=True, text=True, timeout=900)


@pytest.mark.parametrize("service", SERVICES)
async def test_no_request_makes_a_service_answer_5xx(stack: Stack, start_service, service: str) -> None:
    process = await start_service(service).wait_healthy()
    result = await asyncio.to_thread(fuzz, process.url, token("admin"))
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
