"""Services started as real OS processes (``python -m services.<name>``) by tests and benchmarks.

A test run starts about a hundred service processes, and each would spend over a second of CPU
importing the same libraries. ``fork_from_warm_interpreter()`` (called once per test worker)
starts them instead from a fork server that has already imported every service (the standard
library's ``multiprocessing`` forkserver): each is still its own OS process with its own pid,
environment, log, signals and exit code, started the way ``python -m services.<name>`` starts,
only without the imports. The benchmarks keep fresh interpreters, as production runs them."""

from __future__ import annotations

import asyncio
import atexit
import multiprocessing
import multiprocessing.context
import multiprocessing.forkserver
import os
import runpy
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import ClassVar

import httpx

from deploy.endpoints import ROOT
from deploy.keys import SERVICES, process_environment


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# What the fork server's environment keeps: nothing secret, so no service inherits another's settings
# or an admin credential from it (each child's environment is set whole, see ``_serve``).
_FORK_SERVER_KEEPS = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV", "PYTHONPATH")


class _Launcher:
    context: multiprocessing.context.ForkServerContext | None = None
    started: ClassVar[list[multiprocessing.context.ForkServerProcess]] = []


def fork_from_warm_interpreter() -> None:
    """Start the service processes of this (test) process from a fork server that has imported
    the services already. Call it early, before other threads start processes: the fork server
    is started here with a scrubbed environment."""
    if _Launcher.context is not None:
        return
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["shared.service", *(f"services.{s}.app" for s in SERVICES)])
    kept = dict(os.environ)
    try:
        for name in list(os.environ):
            if name not in _FORK_SERVER_KEEPS:
                del os.environ[name]
        multiprocessing.forkserver.ensure_running()
    finally:
        os.environ.update(kept)
    _Launcher.context = context
    atexit.register(_kill_leftovers)  # runs before multiprocessing's own exit hook joins its children


def _kill_leftovers() -> None:
    for process in _Launcher.started:
        if process.is_alive():
            process.kill()
            process.join(5)


def _serve(service: str, env: dict[str, str], cwd: Path, log_path: Path) -> None:
    """In the forked child: become ``python -m services.<service>`` with exactly ``env``."""
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    nothing = os.open(os.devnull, os.O_RDONLY)
    os.dup2(nothing, 0)  # stdin on fd 0, as in a fresh process (uvicorn hands fd 0 to its workers)
    os.close(nothing)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115  # the process's stdin, for its whole life
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(line_buffering=True, write_through=True)  # type: ignore[union-attr]  # TextIOWrapper
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    runpy.run_module(f"services.{service}", run_name="__main__", alter_sys=True)


class _Forked:
    """A forked service process with the part of ``subprocess.Popen`` the tests use."""

    def __init__(self, process: multiprocessing.context.ForkServerProcess) -> None:
        self.process = process

    @property
    def pid(self) -> int:
        assert self.process.pid is not None
        return self.process.pid

    @property
    def returncode(self) -> int | None:
        return self.process.exitcode

    def poll(self) -> int | None:
        return self.process.exitcode

    def wait(self, timeout: float | None = None) -> int:
        self.process.join(timeout)
        if self.process.exitcode is None:
            raise subprocess.TimeoutExpired(f"services.{self.process.name}", timeout or 0)
        return self.process.exitcode

    def send_signal(self, sig: int) -> None:
        if self.process.exitcode is None:
            os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class ServiceProcess:
    def __init__(
        self, service: str, env: dict[str, str], log_dir: Path, label: str = "", *, fresh_interpreter: bool = False
    ) -> None:
        self.service = service
        self.fresh_interpreter = fresh_interpreter  # never forked: e.g. to read its /proc/<pid>/environ
        self.port = free_port()
        self.label = label or service
        self.env = process_environment(
            service, {**os.environ, **env, f"{service.upper()}_HTTP_PORT": str(self.port), "PYTHONUNBUFFERED": "1"}
        )
        self.log_path = log_dir / f"{self.label}-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | _Forked | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServiceProcess:
        if _Launcher.context is not None and not self.fresh_interpreter:
            process = _Launcher.context.Process(
                target=_serve, args=(self.service, self.env, ROOT, self.log_path), name=self.service
            )
            process.start()
            _Launcher.started.append(process)
            self.proc = _Forked(process)
            return self
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
