"""Fixtures the sign-in, lockout and session tests share."""

import pytest

from tests.people.helpers import NOW


@pytest.fixture
def clock(time_machine):
    """Time stands still at NOW (a module may define its own clock)."""
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def worker(caseworker_a):
    return caseworker_a
