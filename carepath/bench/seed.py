"""``seed_bench``: a realistic synthetic data set for measuring the main pages at scale.

Usable from code (a benchmark seeds its own database) and from ``manage.py seed_bench``. The
same ``cases``, ``seed`` and ``today`` give the same data. Existing data is left alone: the
bench makes its own organisations, teams and staff (``bench-1``, ``bench.caseworker.1``...)
and refuses to run twice on one database.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dt_time

from django.db import transaction
from django.utils import timezone

from carepath.bench.accommodation import seed_accommodation
from carepath.bench.base import Bench, chunks
from carepath.bench.cases import CaseFacts, CaseMaker
from carepath.bench.legal import seed_exit_plans, seed_legal
from carepath.bench.marac import PARTNERS_PER_ORGANISATION, seed_marac
from carepath.bench.people import (
    BENCH_PASSWORD,
    SINGLE_ROLES,
    existing_bench,
    seed_people,
    username,
)
from carepath.people.models import Role

CASES_PER_BATCH = 1000


class BenchExists(Exception):
    """The database already holds bench data."""


@dataclass
class BenchResult:
    cases: int
    seed: int
    today: date
    seconds: float = 0.0
    # Rows created per model ("casework.Case": 2000, ...), in the order first written.
    created: dict[str, int] = field(default_factory=dict)
    # Logins per role: (first username, how many), e.g. ("bench.caseworker.1", 50).
    logins: dict[str, tuple[str, int]] = field(default_factory=dict)
    password: str = BENCH_PASSWORD


def seed_bench(
    *,
    cases: int,
    seed: int = 1,
    today: date | None = None,
    batch_size: int = 1000,
    progress=None,
) -> BenchResult:
    """Create ``cases`` cases across several bench organisations with everything around them.
    ``progress`` (optional) is called with a line of text as each part is done."""
    if cases < 1:
        raise ValueError("Ask for at least one case.")
    if existing_bench():
        raise BenchExists("This database already holds bench data (organisation bench-1).")
    started = time.monotonic()
    if today is None or today == timezone.localdate():
        today, now = timezone.localdate(), timezone.now()
    else:
        now = timezone.make_aware(datetime.combine(today, dt_time(12, 0)))
    bench = Bench(rng=random.Random(seed), today=today, now=now, batch_size=batch_size)

    def step(text: str) -> None:
        if progress is not None:
            progress(f"{text} ({time.monotonic() - started:.1f}s)")

    with transaction.atomic():
        organisations = seed_people(
            bench, cases=cases, partners_per_organisation=PARTNERS_PER_ORGANISATION
        )
        step(f"{len(organisations)} organisations and their staff")
        maker = CaseMaker(bench, organisations)
        facts: list[CaseFacts] = []
        for indices in chunks(range(cases), CASES_PER_BATCH):
            facts += maker.make(indices)
            step(f"{len(facts)} cases")
        bench.insert(maker.sequences_rows())
        seed_accommodation(bench, organisations, facts)
        step("accommodation")
        seed_marac(bench, organisations, facts)
        step("MARAC")
        seed_legal(bench, facts)
        seed_exit_plans(bench, facts)
        bench.finish()
        step("legal matters and exit plans")

    counts = {Role.CASEWORKER: sum(len(o.all_caseworkers) for o in organisations)}
    counts.update({role: len(organisations) for role in SINGLE_ROLES})
    counts[Role.MARAC_PARTNER] = sum(len(o.partners) for o in organisations)
    return BenchResult(
        cases=cases,
        seed=seed,
        today=bench.today,
        seconds=time.monotonic() - started,
        created=dict(bench.created),
        logins={role: (username(role, 1), n) for role, n in counts.items() if n},
    )
