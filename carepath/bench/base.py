"""What every part of the bench generator shares: one random source, the day the data is made
for, and inserting rows in batches.

Rows are written in bulk: no services, no history rows, no signals. The large tables (cases
and what each case gathers) go through ``Rows``, a dict per row with keys given in Python;
the rest through ``bulk_create``. Either way encrypted fields go through the field, so they
are stored encrypted. Dates and timestamps are the generator's own, ``auto_now`` ones
included, so a state always agrees with its dates. Keys given in Python assume nobody else
writes those tables during the run (a bench database); the sequences are moved past them.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

from carepath import crypto

# Fields whose Python value is what the database takes (no conversion per row).
_AS_IS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)


@contextmanager
def own_timestamps(model: type[models.Model]) -> Iterator[None]:
    """Keep the timestamps set on the rows instead of "now" for ``auto_now`` fields."""
    fields = [
        f
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    try:
        for f in fields:
            f.auto_now = f.auto_now_add = False
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


class Rows:
    """Rows of one model written straight to its table: a dict per row (keyed by the fields'
    attribute names, ``case_id`` for a foreign key), with its key given here so that other
    rows can point at it before it is written. No model instances, for the largest tables.
    Encrypted, date and JSON fields still go through the field (``get_db_prep_save``)."""

    def __init__(self, bench: Bench, model: type[models.Model]):
        self.bench = bench
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        # A field's default, "" for text without one; None for the rest (refused if required).
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        self.prepare = [self._converter(f) for f in self.fields]
        latest = model._base_manager.aggregate(latest=Max("pk"))["latest"]
        self.next_id = (latest or 0) + 1
        self.pending: list[dict] = []
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        self.sql = (
            f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) "
            f"VALUES ({', '.join(['%s'] * len(self.fields))})"
        )

    @staticmethod
    def _converter(field: models.Field):
        if isinstance(field, _AS_IS) and not crypto.is_encrypted(field):
            return None
        if isinstance(field, models.ForeignKey):
            return None
        return lambda value: field.get_db_prep_save(value, connection)

    def add(self, **values) -> dict:
        row = {**self.defaults, **values, "id": self.next_id}
        self.next_id += 1
        self.pending.append(row)
        return row

    def flush(self) -> None:
        if not self.pending:
            return
        names = [f.attname for f in self.fields]
        prepare = self.prepare
        values = [
            [
                row[name] if convert is None else convert(row[name])
                for name, convert in zip(names, prepare, strict=True)
            ]
            for row in self.pending
        ]
        with connection.cursor() as cursor:
            for start in range(0, len(values), self.bench.batch_size):
                cursor.executemany(self.sql, values[start : start + self.bench.batch_size])
        self.bench.created[self.model._meta.label] += len(self.pending)
        self.bench.written.add(self.model)
        self.pending = []


def set_state(obj: models.Model, state: str) -> None:
    """Set a protected django-fsm state on a row not yet saved: the bench writes states with
    their dates directly instead of taking each transition through a service."""
    obj._meta.get_field("state").set_state(obj, state)


@dataclass
class Bench:
    """The state of one generation run."""

    rng: random.Random
    today: date
    # "Now" on ``today``: the moment that splits past reminders (sent) from future ones.
    now: datetime
    batch_size: int = 1000
    created: Counter = field(default_factory=Counter)
    _content_types: dict = field(default_factory=dict)
    _rows: dict = field(default_factory=dict)
    written: set = field(default_factory=set)

    def insert(self, objs: Sequence[models.Model]) -> Sequence[models.Model]:
        """Insert rows of one model; their primary keys are set afterwards (PostgreSQL and
        SQLite 3.35+ return them)."""
        if not objs:
            return objs
        model = type(objs[0])
        with own_timestamps(model):
            model._base_manager.bulk_create(objs, batch_size=self.batch_size)
        if objs[0].pk is None:
            raise RuntimeError("The database did not return the new rows' keys.")
        self.created[model._meta.label] += len(objs)
        self.written.add(model)
        return objs

    def insert_links(self, through: type[models.Model], rows: list[models.Model]) -> None:
        """Rows of a many-to-many table (no keys needed back)."""
        if rows:
            through._base_manager.bulk_create(rows, batch_size=self.batch_size)
            self.created[through._meta.label] += len(rows)
            self.written.add(through)

    def rows(self, model: type[models.Model]) -> Rows:
        if model not in self._rows:
            self._rows[model] = Rows(self, model)
        return self._rows[model]

    def finish(self) -> None:
        """Write what is pending, and move each table's key sequence past the keys given here
        (PostgreSQL; SQLite follows by itself)."""
        for rows in self._rows.values():
            rows.flush()
        statements = connection.ops.sequence_reset_sql(no_style(), list(self._rows))
        if connection.vendor == "postgresql":
            # Statistics for the planner now, rather than whenever autovacuum comes by: a
            # bulk load leaves the tables looking empty to it.
            tables = sorted({model._meta.db_table for model in self.written})
            statements.append(f"ANALYZE {', '.join(map(connection.ops.quote_name, tables))}")
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    def content_type(self, model: type[models.Model]) -> ContentType:
        if model not in self._content_types:
            self._content_types[model] = ContentType.objects.get_for_model(model)
        return self._content_types[model]

    # --- Random choices -----------------------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def weighted(self, options: Sequence[tuple[object, float]]):
        values = [value for value, _weight in options]
        weights = [weight for _value, weight in options]
        return self.rng.choices(values, weights=weights)[0]

    def covering(self, index: int, options: Sequence[tuple[object, float]]):
        """The ``index``-th of the options while every option has not had a turn yet, then a
        weighted choice: a small data set still has every state."""
        if index < len(options):
            return options[index][0]
        return self.weighted(options)

    def day_between(self, start: date, end: date) -> date:
        if end <= start:
            return start
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def at(self, day: date, clock: time | None = None) -> datetime:
        """An aware time on ``day``, in office hours unless given."""
        if clock is None:
            clock = time(self.rng.randint(8, 17), self.rng.choice((0, 15, 30, 45)))
        return timezone.make_aware(datetime.combine(day, clock))


def chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
