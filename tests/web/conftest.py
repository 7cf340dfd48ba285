"""The web front end in a real browser: Debian's Chromium driven by Playwright, against the real
enrollment, attendance, subsidy and notify processes (one of each for the module, connected by Kafka).
The web app itself runs in this process (uvicorn on a free port), as ``./tuoguan up`` would run
it, with the development sign-in on.

The browser, its contexts and ``page`` are pytest-playwright-asyncio's fixtures (one browser for the
session, a fresh context per test), so its options work: ``--headed``, ``--slowmo 500``,
``--screenshot only-on-failure``, ``--tracing retain-on-failure``, ``--output DIR`` (default
``test-results/``, git-ignored; emptied when a run starts). Here they launch Debian's
``/usr/bin/chromium``; ``playwright install`` is never run (so no ``--video``: it needs
Playwright's own ffmpeg)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.async_api import BrowserContext, Page

from services.web.app import create_app
from services.web.config import WebSettings
from testkit.city import City
from testkit.processes import ServiceProcess
from tests.conftest import SharedStarter

OpenContext = Callable[..., Awaitable[BrowserContext]]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [  # headless unless --headed (Playwright adds --headless itself)
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Timers tick only at start-up, so that a check-in cut-off that passed today does not mark the
# kiosk's children absent while they are being checked in (as in tests/attendance).
ATTENDANCE = {"ATTENDANCE_TIMER_INTERVAL_S": "3600"}
# A context opens at phone width; TUOGUAN_SCREENSHOTS saves each page at both.
WIDTHS = {"phone": {"width": 390, "height": 844}, "tablet": {"width": 820, "height": 1180}}


@dataclass
class Site:
    """The running system: the services' URLs and the web front end's."""

    services: dict[str, ServiceProcess]
    url: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
async def site(module_service: SharedStarter) -> AsyncIterator[Site]:
    started = await asyncio.gather(
        module_service("enrollment"),
        module_service("attendance", **ATTENDANCE),
        module_service("subsidy"),
        module_service("notify"),
    )
    services = dict(zip(("enrollment", "attendance", "subsidy", "notify"), started, strict=True))
    port = _free_port()
    settings = WebSettings(http_port=port, dev_sign_in=True, **{f"{name}_url": s.url for name, s in services.items()})
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=1
        )
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    yield Site(services, f"http://127.0.0.1:{port}")
    server.should_exit = True
    await serving


@pytest.fixture
async def city(site: Site) -> AsyncIterator[City]:
    """The enrollment API driven as union staff and parents do (testkit/city.py)."""
    async with httpx.AsyncClient(base_url=site.services["enrollment"].url, timeout=10) as http:
        yield City(http)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium rather than a browser Playwright would download; the plugin's own launch
    options (``--headed``, ``--slowmo``) still apply."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url() -> None:
    """No ``--base-url``: the site listens on a free port of its own (``site.url``). (Also keeps the
    plugin's fallback ``base_url`` fixture, deprecated by pytest 9, from running.)"""
    return None


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """Every context starts without cookies, at a phone's width, in Chinese (``--device`` may
    choose another screen)."""
    return {"viewport": WIDTHS["phone"], "locale": "zh-CN", **browser_context_args}


@pytest.fixture
def new_context(new_context: OpenContext) -> OpenContext:
    """The plugin's context factory (each context traced and closed with the test); an action
    waits at most 10 s for its element."""

    async def opened(**options: Any) -> BrowserContext:
        context: BrowserContext = await new_context(**options)
        context.set_default_timeout(10_000)
        return context

    return opened


# axe-core 4.14.1 (MPL-2.0, from the npm registry: `npm pack axe-core@4`), the accessibility check.
AXE = Path(__file__).with_name("axe.min.js").read_text()
AXE_RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOTS = os.environ.get("TUOGUAN_SCREENSHOTS", "")  # a folder: save each page at phone and tablet width
# Pages axe-core found clean in this run, by name and HTML: the very same page (the sign-in form,
# reached by every test) is not checked again.
CLEAN: set[str] = set()


async def snap(page: Page, name: str) -> None:
    """Check the page as it is now with axe-core (WCAG 2.1 A and AA: labels, contrast, names,
    landmarks); with ``TUOGUAN_SCREENSHOTS=docs/screenshots``, also save it as a phone and a
    tablet show it."""
    seen = hashlib.sha256(f"{name}\n{await page.content()}".encode()).hexdigest()
    if seen not in CLEAN:
        await page.evaluate(AXE)  # evaluated rather than added as a <script> tag: 3 times quicker
        violations = await page.evaluate(
            """async (tags) => (await axe.run(document, {runOnly: tags})).violations
                .map(v => `${v.id}: ${v.nodes.map(n => n.target.join(" ")).join(", ")}`)""",
            AXE_RULES,
        )
        assert violations == [], f"{name}: {violations}"
        CLEAN.add(seen)
    if not SCREENSHOTS:
        return
    folder = Path(SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    for device, size in WIDTHS.items():
        await page.set_viewport_size(size)
        await page.screenshot(path=str(folder / f"{name}-{device}.png"), full_page=True)
    await page.set_viewport_size(WIDTHS["phone"])
