"""The bench data is dated from the day it is made: every test here makes and reads it on the
same fixed day, so that the same seed gives the same data whatever day the tests run."""

import datetime

import pytest

MADE_AT = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(MADE_AT, tick=False)
    return time_machine
