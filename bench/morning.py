"""A Henan summer morning: 35,100 children at 1,079 classes checked in, until every guardian knows.

Henan's unions ran 1,079 classes for 35,100 children in summer 2022. Setup (not timed): each child,
with two guardians, is booked today and reaches attendance and notify as enrollment's events. Then
staff at every class check their children in through attendance's HTTP API, ``--concurrency`` at
a time across the city. ``seconds`` runs from the first check-in to the moment every guardian has
the in-app "checked in" message; e2e runs from each check-in request to its notification's commit.
"""

from __future__ import annotations

import argparse

from bench import checkin_rush


def add_arguments(parser: argparse.ArgumentParser) -> None:
    checkin_rush.add_arguments(parser)
    parser.set_defaults(checkins=35_100, sites=1_079, concurrency=128, timeout=1800.0)


async def run(args: argparse.Namespace) -> None:
    await checkin_rush.check_in_all(args, label="morning")
