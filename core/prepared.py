"""Reads compiled once per process.

For a read whose SQL is the same on every request but for a few values (whose page it is, the
time, a mentor and a window), building and compiling the queryset costs far more CPU than running
it: the dashboard's one query of existence tests took 2.6 ms to build and compile and 0.2 ms to
run. `PreparedRead` builds the queryset with sentinel values, compiles it for the database it
reads, and on each call runs that SQL with the sentinels in its parameters swapped for the
call's values.

Only values that stay parameters of their own can be swapped: a list whose length varies, a None
that becomes IS NULL, or a value computed from one (`start - DAY`) would not be. So the query is
compiled twice, with two sets of sentinels, and prepared only if the SQL is the same and the
second compilation's parameters are exactly the first's with the sentinels swapped; otherwise
it is built and run anew on every call, as before (and a warning logged). The rows are the
database's own values, without Django's field converters: for integers, booleans (as 0/1 on
SQLite) and strings, not dates.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.db import connections
from django.db.models import QuerySet

logger = logging.getLogger(__name__)

# Two sets of sentinels, each value distinct (the n-th value of a read gets its own).
_FIRST = {int: -790_019, datetime: datetime(1971, 2, 3, 4, 5, 6, 790_019, tzinfo=UTC)}
_SECOND = {int: -890_023, datetime: datetime(1972, 3, 4, 5, 6, 7, 790_023, tzinfo=UTC)}


def _adapt(connection, value):
    return connection.ops.adapt_datetimefield_value(value) if isinstance(value, datetime) else value


class PreparedRead:
    """`PreparedRead(build, person_id=int, moment=datetime)`: `build(**values)` returns the
    queryset (`values_list()` or `values()`); `read.rows(**values)` runs it, `read.first(...)`
    gives its first row as a dict of column names."""

    def __init__(self, build: Callable[..., QuerySet], **kinds: type):
        self.build = build
        self.kinds = kinds
        self._compiled: dict[str, tuple[str, tuple, dict] | None] = {}

    def _sentinels(self, table: dict) -> dict:
        return {
            name: table[kind] - n if kind is int else table[kind] + timedelta(days=n)
            for n, (name, kind) in enumerate(self.kinds.items())
        }

    def _compile(self, alias: str) -> tuple[str, tuple, dict] | None:
        connection = connections[alias]
        first, second = self._sentinels(_FIRST), self._sentinels(_SECOND)
        sql, params = self.build(**first).query.get_compiler(using=alias).as_sql()
        sql_2, params_2 = self.build(**second).query.get_compiler(using=alias).as_sql()
        slots = {_adapt(connection, value): name for name, value in first.items()}
        swapped = [
            self._swap(p, slots, {n: _adapt(connection, v) for n, v in second.items()}) for p in params
        ]
        if sql != sql_2 or swapped != list(params_2) or not set(slots) <= set(_hashable(params)):
            logger.warning("%s cannot be prepared: its SQL depends on its values", self.build.__qualname__)
            compiled = None
        else:
            compiled = (sql, tuple(params), slots)
        self._compiled[alias] = compiled
        return compiled

    @staticmethod
    def _swap(param, slots: dict, values: dict):
        try:
            name = slots.get(param)
        except TypeError:  # unhashable (a list): never a sentinel
            return param
        return param if name is None else values[name]

    def rows(self, *, using: str = "default", **values) -> list[tuple]:
        return self._run(using, values)[0]

    def first(self, *, using: str = "default", **values) -> dict | None:
        rows, names = self._run(using, values)
        return dict(zip(names, rows[0], strict=True)) if rows else None

    def _run(self, using: str, values: dict) -> tuple[list[tuple], list[str]]:
        compiled = self._compiled[using] if using in self._compiled else self._compile(using)
        connection = connections[using]
        if compiled is None:  # not preparable: built and run anew
            sql, params = self.build(**values).query.get_compiler(using=using).as_sql()
        else:
            sql, template, slots = compiled
            adapted = {name: _adapt(connection, value) for name, value in values.items()}
            params = [self._swap(p, slots, adapted) for p in template]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall(), [column[0] for column in cursor.description]

    def is_prepared(self, using: str = "default") -> bool:
        compiled = self._compiled[using] if using in self._compiled else self._compile(using)
        return compiled is not None


def _hashable(params) -> list:
    found = []
    for param in params:
        try:
            hash(param)
        except TypeError:
            continue
        found.append(param)
    return found
