"""The test suite's one clock: every test runs on the same pinned day, whatever the real date.

`PACER_TEST_TODAY=YYYY-MM-DD` pins another day, to try the suite at a quarter's or a fiscal
year's edge. time-machine moves the whole process (threads included, so the live server of the
browser tests too) to noon of that day in the project's time zone, and lets the clock tick on
from there. Tests take the day from here (`TODAY`) or from the `today` fixture; `make lint`
forbids reading the clock anywhere else in the tests.
"""

import os
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import time_machine

DEFAULT_TODAY = "2026-12-02"
TODAY = date.fromisoformat(os.environ.get("PACER_TEST_TODAY") or DEFAULT_TODAY)


def pinned_moment(zone: str) -> datetime:
    return datetime.combine(TODAY, time(12), tzinfo=ZoneInfo(zone))


def clock_pin(zone: str) -> time_machine.travel:
    """Start the pinned clock for the rest of the process; the caller may stop it."""
    traveller = time_machine.travel(pinned_moment(zone), tick=True)
    traveller.start()
    return traveller


if __name__ == "__main__":
    # `python -m tests.clock PROGRAM ARGS...` runs a Python program (a Celery worker) on the
    # pinned clock, in the project's time zone as the settings read it.
    import runpy
    import sys

    clock_pin(os.environ.get("TIME_ZONE") or "UTC")
    sys.argv = sys.argv[1:]
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
