"""Crash points for failure tests: a process started with ``TUOGUAN_CRASH_AT=<name>`` dies at once
(``os._exit``, no cleanup, like ``kill -9``) when it reaches ``crash_point(<name>)``."""

import logging
import os

CRASH_EXIT_CODE = 86


def crash_point(name: str) -> None:
    if os.environ.get("TUOGUAN_CRASH_AT") == name:
        logging.getLogger(__name__).warning("crash point reached, exiting", extra={"crash_point": name})
        logging.shutdown()
        os._exit(CRASH_EXIT_CODE)
