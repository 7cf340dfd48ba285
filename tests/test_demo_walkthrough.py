"""The README's "Try it", as a newcomer follows it: `./tuoguan demo`, then every line it prints,
pasted in order, keeps each promise: the booking is confirmed, the child is on the roster, subsidy
approved money, each guardian has a message, and the child is checked in and handed over today."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from collections.abc import Callable
from typing import Any

import jwt

from deploy.endpoints import ROOT
from shared.auth import DEFAULT_MAX_TTL_S
from tests.conftest import Stack
from tests.support.polling import eventually

SERVICES = ("enrollment", "attendance", "subsidy", "notify")
# What each printed command promises, by what it asks for: (pattern, the promise kept, asynchronous?).
PROMISES: list[tuple[str, Callable[[Any], Any], bool]] = [
    (r"/availability\?", lambda a: a["days"] and all(d["taken"] < d["capacity"] for d in a["days"]), False),
    (r"-X POST \S+/bookings", lambda b: b["status"] == "confirmed", False),
    (r"/roster/", lambda r: r.get("children"), True),
    (
        r"/children/\S+/applications",
        lambda s: [a for a in s.get("applications", []) if a["status"] == "approved" and a["amount_fen"] > 0],
        True,
    ),
    (
        r"/guardians/\S+/notifications\"$",
        lambda n: [m for m in n.get("notifications", []) if m["source_type"] == "child.enrolled"],
        True,
    ),
    (r"/checkins", lambda c: c.get("admitted") is True, True),  # once attendance has today's booking
    (r"/confirmation", lambda p: p.get("released_to") == "王奶奶", False),
]


async def bash(line: str, env: dict[str, str]) -> str:
    process = await asyncio.create_subprocess_exec(
        "bash", "-c", line, env=env, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    assert process.returncode == 0, f"{line}\n{err.decode()}"
    return out.decode()


def pasted_lines(printed: str) -> list[str]:
    """The lines to paste, as the demo printed them (comments and blank lines left out)."""
    _, _, lines = printed.partition("Paste these lines in order")
    return [line for line in lines.splitlines()[1:] if line.strip() and not line.startswith("#")]


def as_here(line: str) -> str:
    """``./tuoguan token`` as this test's install runs it: the same command, with the test's key."""
    return line.replace("./tuoguan token", f"{sys.executable} -m shared.auth mint")


async def test_every_line_the_demo_prints_keeps_the_readmes_promise(stack: Stack, start_service) -> None:
    services = {name: start_service(name) for name in SERVICES}
    await asyncio.gather(*(s.wait_healthy() for s in services.values()))
    env = {**os.environ, **{f"{name.upper()}_HTTP_PORT": str(s.port) for name, s in services.items()}}
    printed = await bash(f"{sys.executable} -m deploy.demo", env)
    lines = pasted_lines(printed)
    exports = {line.removeprefix("export ").split("=")[0] for line in lines if line.startswith("export ")}
    assert exports == {"STAFF", "PARENT", "PROVIDER", "GUARDIAN2", "ATTEMPT", "CODE"}

    kept: list[str] = []
    exported_so_far: set[str] = set()
    for line in map(as_here, lines):
        used = set(re.findall(r"\$([A-Z][A-Z0-9_]*)", line.partition("=")[2] if line.startswith("export ") else line))
        assert used <= exported_so_far, f"{used - exported_so_far} used before it is exported: {line}"
        if line.startswith("export "):
            name = line.removeprefix("export ").split("=")[0]

            async def exported(n: str = name, command: str = line) -> str:
                return (await bash(f'{command}; printf %s "${n}"', env)).strip()

            env[name] = await eventually(exported, timeout=60)  # the pick-up code takes a moment
            exported_so_far.add(name)
            continue
        pattern, promise, asynchronous = next(p for p in PROMISES if re.search(p[0], line))

        async def kept_promise(command: str = line, p: Callable[[Any], Any] = promise) -> Any:
            answer = json.loads(await bash(command, env))
            return p(answer) and answer

        if asynchronous:
            await eventually(kept_promise, timeout=60)
        else:
            answer = json.loads(await bash(line, env))
            assert promise(answer), f"{line}\n-> {answer}"
        kept.append(pattern)
    for name in ("STAFF", "PARENT", "PROVIDER", "GUARDIAN2"):
        claims = jwt.decode(env[name], options={"verify_signature": False})
        assert claims["exp"] - claims["iat"] == DEFAULT_MAX_TTL_S, f"{name}: as long as ./tuoguan token's"
    assert re.fullmatch(r"\d{6}", env["CODE"]), "王奶奶 shows the code the guardians received"
    assert sorted(set(kept)) == sorted(p for p, _, _ in PROMISES), "every promise was tried"
    assert len(kept) == 9, kept
