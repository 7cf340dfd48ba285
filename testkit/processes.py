"""Services started as real OS processes (``python -m services.<name>``) by tests and benchmarks."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from deploy.endpoints import ROOT
from deploy.keys import process_environment


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServiceProcess:
    def __init__(self, service: str, env: dict[str, str], log_dir: Path, label: str = "") -> None:
        self.service = service
        self.port = free_port()
        self.label = label or service
        self.env = process_environment(
            service, {**os.environ, **env, f"{service.upper()}_HTTP_PORT": str(self.port), "PYTHONUNBUFFERED": "1"}
        )
        self.log_path = log_dir / f"{self.label}-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServiceProcess:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", f"services.{self.service}"],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        return self

    async def wait_healthy(self, timeout: float = 60.0) -> ServiceProcess:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(base_url=self.url, timeout=3.0) as client:
            while time.monotonic() < deadline:
                if self.proc is None or self.proc.poll() is not None:
                    raise RuntimeError(f"{self.label} exited; log:\n{self.log_tail()}")
                try:
                    if (await client.get("/health")).status_code == 200:
                        return self
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
        raise TimeoutError(f"{self.label} not healthy after {timeout}s; log:\n{self.log_tail()}")

    async def wait_exit(self, timeout: float = 30.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and (code := self.proc.poll()) is not None:
                return code
            await asyncio.sleep(0.1)
        raise TimeoutError(f"{self.label} still running after {timeout}s")

    def stop(self, timeout: float = 30.0) -> None:
        """Graceful stop (SIGTERM), then SIGKILL if it hangs."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when a machine dies."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    async def metric(self, name: str, **labels: str) -> float:
        """Sum of a Prometheus metric's samples whose labels include ``labels``."""
        async with httpx.AsyncClient(base_url=self.url, timeout=5.0) as client:
            text = (await client.get("/metrics")).text
        total = 0.0
        for line in text.splitlines():
            if not line.startswith(name + "{") and not line.startswith(name + " "):
                continue
            head, _, value = line.rpartition(" ")
            if all(f'{k}="{v}"' in head for k, v in labels.items()):
                total += float(value)
        return total
