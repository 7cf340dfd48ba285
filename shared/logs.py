"""Structured JSON logs; every line carries the service and the current correlation id."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from pythonjsonlogger.json import JsonFormatter

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
event_id: ContextVar[str | None] = ContextVar("event_id", default=None)


class _ContextFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.correlation_id = correlation_id.get()
        record.event_id = event_id.get()
        return True


# Message templates of a client's reconnect loop: while a broker is down aiokafka logs them
# thousands of times a second (one per node, per retry, per client).
CONNECTION_ERRORS = (
    "Unable connect to",
    "Unable to update metadata",
    "Unable to request metadata",
    "Connection to node",
    "Failed fetch messages",
    "Coordinator",
    "Heartbeat",
)


@dataclass
class _Streak:
    first_s: float
    last_s: float
    shown_s: float
    suppressed: int = 0


class ConnectionErrorThrottle(logging.Filter):
    """At most one line per ``interval_s`` for each repeated connection error (same logger and
    message template). The line let through says how many were suppressed and how long the peer
    has been unreachable; a pause of ``interval_s`` without the error ends the streak."""

    def __init__(self, interval_s: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.interval_s = interval_s
        self.clock = clock
        self._streaks: dict[tuple[str, str], _Streak] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        template = str(record.msg)
        if record.levelno < logging.WARNING or not any(p in template for p in CONNECTION_ERRORS):
            return True
        now = self.clock()
        key = (record.name, template)
        streak = self._streaks.get(key)
        if streak is None or now - streak.last_s > self.interval_s:
            self._streaks[key] = _Streak(first_s=now, last_s=now, shown_s=now)
            return True
        streak.last_s = now
        if now - streak.shown_s < self.interval_s:
            streak.suppressed += 1
            return False
        record.msg = (
            f"{record.getMessage()} (unreachable for {now - streak.first_s:.0f} s; "
            f"{streak.suppressed} similar lines suppressed)"
        )
        record.args = None
        record.suppressed = streak.suppressed
        record.unreachable_s = round(now - streak.first_s, 1)
        streak.shown_s, streak.suppressed = now, 0
        return True


def configure_logging(service: str, level: str = "INFO") -> None:
    """Route every logger (ours, uvicorn's, faststream's, aiokafka's) to JSON on stderr, with
    repeated connection errors rate-limited (:class:`ConnectionErrorThrottle`)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ConnectionErrorThrottle())
    handler.addFilter(_ContextFilter(service))
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(correlation_id)s %(event_id)s",
            rename_fields={"asctime": "ts", "levelname": "level", "name": "logger"},
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiokafka", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error", "faststream"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
