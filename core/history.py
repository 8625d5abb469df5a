"""Change history of the money and booking rows (django-simple-history).

Every `save()` and `delete()` of a model with `history = ChangeHistory()` writes a historical
row: the values after the change, when, by whom (the signed-in user of the web request, set by
`HistoryRequestMiddleware`; empty for workers and webhooks) and why. `QuerySet.update()` and
`bulk_*` write none, so the services change these rows with `save()` or simple-history's
`bulk_create_with_history` / `bulk_update_with_history`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models import QuerySet
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_update_with_history

_reason: ContextVar[str | None] = ContextVar("change_reason", default=None)


@contextmanager
def change_reason(reason: str) -> Iterator[None]:
    """The reason recorded for every change made inside the block that names none of its own
    (`instance._change_reason`), e.g. the Stripe event a webhook applies."""
    token = _reason.set(reason)
    try:
        yield
    finally:
        _reason.reset(token)


class ChangeHistory(HistoricalRecords):
    def get_change_reason_for_object(self, instance, history_type, using):
        return super().get_change_reason_for_object(instance, history_type, using) or _reason.get()


def update_with_history(rows: QuerySet, *, reason: str, **values) -> int:
    """`rows.update(**values)` that leaves each row's version in its history, with `reason`."""
    changed = list(rows)
    for row in changed:
        for name, value in values.items():
            setattr(row, name, value)
    bulk_update_with_history(changed, rows.model, list(values), default_change_reason=reason)
    return len(changed)
