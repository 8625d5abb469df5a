"""Pages of a list without counting it: one row more than a page is read to know whether a next
page exists, so a page costs the same however many rows match (Django's Paginator runs a
`COUNT(*)` over every match on each page)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

MAX_PAGE = 500  # deeper offsets read every row before them; nobody pages that far by hand


@dataclass(frozen=True)
class Page:
    number: int
    object_list: list[Any]
    has_next: bool
    size: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.object_list else 0

    def end_index(self) -> int:
        return (self.number - 1) * self.size + len(self.object_list)

    @property
    def total(self) -> int | None:
        """How many rows match, when this page shows the last of them (None before the end)."""
        if self.has_next or (not self.object_list and self.number > 1):
            return None
        return self.end_index()


def page_number(value: Any) -> int:
    """A page number from a query string: anything that is not a whole number from 1 is 1."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def page_of(queryset: QuerySet, number: Any, *, size: int) -> Page:
    """Page `number` (as given in a query string) of an ordered queryset, in one query (and its
    prefetches): `size + 1` rows, the last only to tell that a next page exists."""
    number = page_number(number)
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    return Page(number=number, object_list=rows[:size], has_next=len(rows) > size, size=size)
