"""One figure of the staff insight page: what it is called, the selector that computes its rows,
its columns (for the table and the CSV), how its chart draws it, and how sure each rate is.

Shared by ``dashboard.insights`` (the live figures) and ``dashboard.outcomes`` (the evidence
figures: intervals, cohort against solo, retention curves), so neither imports the other's rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

from dashboard.insight_texts import DEFINITIONS, NOTES

Row = dict[str, object]

INTERVAL_COLUMNS = ("low", "high", "too_few")


@dataclass(frozen=True)
class Reference:
    """A figure from outside (the seed trend report), drawn as a dashed, labelled line."""

    value: float  # percent
    source: str | Promise


@dataclass(frozen=True)
class Figure:
    key: str
    title: str | Promise
    selector: Callable[[], list[Row]]
    columns: tuple[str, ...]
    label: str  # the column that names a bar
    value: str  # the column a bar's height shows
    unit: str = "%"
    kind: str = "bar"
    # (part, whole): the columns a rate is made of; the page then gives its 95 % Wilson interval.
    interval: tuple[str, str] | None = None
    reference: Reference | None = None
    group_by: str = ""  # one chart per value of this column (retention: per window)

    @property
    def definition(self) -> str:
        # The translatable words (insight_texts); a figure without them shows its docstring's.
        doc = " ".join((self.selector.__doc__ or "").split("\n\n", 1)[-1].split())
        return DEFINITIONS.get(self.key, doc)

    @property
    def note(self) -> str:
        """What the figure supports and what it does not, in words (empty for most figures)."""
        return NOTES.get(self.key, "")

    @property
    def all_columns(self) -> tuple[str, ...]:
        """The table's and the CSV's columns: with the interval's bounds when the rate has one."""
        if self.interval and "low" not in self.columns:
            return (*self.columns, *INTERVAL_COLUMNS)
        return self.columns
