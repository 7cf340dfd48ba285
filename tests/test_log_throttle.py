"""A broker outage does not flood the logs: repeated connection errors are one line per interval."""

from __future__ import annotations

import logging

from shared.logs import ConnectionErrorThrottle


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _record(message: str, *args: object, logger: str = "aiokafka.client") -> logging.LogRecord:
    return logging.LogRecord(logger, logging.ERROR, __file__, 1, message, args, None)


def test_a_broker_down_for_35_seconds_leaves_a_handful_of_lines_not_thousands() -> None:
    clock = _Clock()
    throttle = ConnectionErrorThrottle(interval_s=10.0, clock=clock)
    shown = []
    for tick in range(35_000):  # 1,000 attempts a second for 35 s, two messages each
        clock.now = tick / 1000
        for record in (
            _record("Unable connect to node with id %s: %s", 1, "refused"),
            _record("Unable to update metadata from %s", [1]),
        ):
            if throttle.filter(record):
                shown.append(record)
    connect_lines = [r for r in shown if r.getMessage().startswith("Unable connect")]
    assert len(shown) == 8 and len(connect_lines) == 4  # the first, then one per 10 s, per message
    last = connect_lines[-1]
    assert last.suppressed == 9_999 and last.unreachable_s == 30.0
    assert "unreachable for 30 s; 9999 similar lines suppressed" in last.getMessage()


def test_other_lines_and_a_new_outage_pass_at_once() -> None:
    clock = _Clock()
    throttle = ConnectionErrorThrottle(interval_s=10.0, clock=clock)
    assert all(throttle.filter(_record("booking confirmed", logger="enrollment")) for _ in range(100))
    assert throttle.filter(_record("Unable connect to node with id %s: %s", 1, "refused"))
    assert not throttle.filter(_record("Unable connect to node with id %s: %s", 1, "refused"))
    assert throttle.filter(_record("Unable connect to node with id %s: %s", 1, "refused", logger="aiokafka.other"))
    clock.now = 60.0  # the broker came back; a later outage is news
    assert throttle.filter(_record("Unable connect to node with id %s: %s", 1, "refused"))
