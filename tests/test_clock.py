"""The suite's pinned clock: what every test and the worker the tests start read as now."""

import os
import subprocess
import sys
from datetime import date

from django.utils import timezone

from tests.clock import TODAY
from tests.worker import ROOT


def test_the_process_reads_the_pinned_day_and_time_goes_on():
    first = timezone.now()  # noqa: TID251 - about the clock itself
    assert timezone.localtime(first).date() == TODAY
    assert date.today() == TODAY  # noqa: TID251, DTZ011 - about the clock itself
    assert timezone.now() > first  # noqa: TID251 - the clock ticks


def test_a_program_run_on_the_clock_sees_the_same_day():
    env = {**os.environ, "PACER_TEST_TODAY": "1999-12-31"}
    command = [sys.executable, "-m", "tests.clock", "calendar"]
    shown = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert shown.stdout.split()[0] == "1999"
