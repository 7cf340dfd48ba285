"""``bench/run <name>``: the benchmark registry."""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from pathlib import Path

from bench import checkin_rush, enrollment_rush, event_path, failover, morning, pipeline, subsidy_race
from deploy import keys

BENCHMARKS = {
    "event-path": event_path,
    "pipeline": pipeline,
    "enrollment-rush": enrollment_rush,
    "subsidy-race": subsidy_race,
    "checkin-rush": checkin_rush,
    "morning": morning,
    "failover": failover,
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench/run", description="Tuoguan benchmarks")
    sub = parser.add_subparsers(dest="name", required=True)
    for name, module in BENCHMARKS.items():
        module.add_arguments(sub.add_parser(name, help=(module.__doc__ or name).splitlines()[0]))
    args = parser.parse_args()
    # A fresh install's keys per run, as in the tests: services verify with its JWKS, the load signs with it.
    for name, value in keys.ensure(Path(tempfile.mkdtemp(prefix="tuoguan-bench-keys-"))).items():
        os.environ.setdefault(name, value)
    asyncio.run(BENCHMARKS[args.name].run(args))


if __name__ == "__main__":
    main()
