"""The web front end in a real browser: Debian's Chromium driven by Playwright, against the real
enrollment, attendance, subsidy and notify processes (one of each for the module, connected by Kafka).
The web app itself runs in this process (uvicorn on a free port), as ``./tuoguan up`` would run
it, with the development sign-in on."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.async_api import Browser, Page, async_playwright

from services.web.app import create_app
from services.web.config import WebSettings
from testkit.city import City
from testkit.processes import ServiceProcess
from tests.conftest import SharedStarter

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
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


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A fresh browser context (no cookies) at a phone's width."""
    context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    context.set_default_timeout(10_000)
    yield await context.new_page()
    await context.close()


# axe-core 4.14.1 (MPL-2.0, from the npm registry: `npm pack axe-core@4`), the accessibility check.
AXE = Path(__file__).with_name("axe.min.js")
AXE_RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOTS = os.environ.get("TUOGUAN_SCREENSHOTS", "")  # a folder: save each page at phone and tablet width
WIDTHS = {"phone": {"width": 390, "height": 844}, "tablet": {"width": 820, "height": 1180}}


async def snap(page: Page, name: str) -> None:
    """Check the page as it is now with axe-core (WCAG 2.1 A and AA: labels, contrast, names,
    landmarks); with ``TUOGUAN_SCREENSHOTS=docs/screenshots``, also save it as a phone and a
    tablet show it."""
    await page.add_script_tag(path=str(AXE))
    violations = await page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: tags})).violations
            .map(v => `${v.id}: ${v.nodes.map(n => n.target.join(" ")).join(", ")}`)""",
        AXE_RULES,
    )
    assert violations == [], f"{name}: {violations}"
    if not SCREENSHOTS:
        return
    folder = Path(SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    for device, size in WIDTHS.items():
        await page.set_viewport_size(size)
        await page.screenshot(path=str(folder / f"{name}-{device}.png"), full_page=True)
    await page.set_viewport_size(WIDTHS["phone"])
