"""The slot picker's month grid and its day's times, written in Python.

A month shows ~40 day cells and a day up to ~30 times, each a link with a handful of attributes:
through the template engine that was ~600 variable lookups, the largest part of the offering
page's cost for a signed-in mentee (issue 22). These tags write what
`components/slot_picker.html` wrote in their place, character for character
(tests/sessions/test_picker_markup.py renders the old markup beside them).
"""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from sessions.calendar import DayCell, SlotGroup

register = template.Library()

_HTMX = 'hx-target="#panel" hx-swap="outerHTML" hx-push-url="true"'


def _cell(cell: DayCell, base: str) -> str:
    if not cell.day:
        return '<td role="gridcell" class="blank"></td>'
    css = ("free" if cell.free else "") + (" today" if cell.today else "")
    selected = "true" if cell.selected else "false"
    opening = f'<td role="gridcell" data-date="{cell.iso}" class="{css}" aria-selected="{selected}"'
    if not cell.free:
        return f'{opening} aria-disabled="true">{cell.day.day}</td>'
    href = f"{base}?day={cell.iso}"
    label = _("%(day)s, free times, today") if cell.today else _("%(day)s, free times")
    label = escape(label % {"day": cell.label})
    current = ' aria-current="date"' if cell.selected else ""
    link = f'<a href="{href}#pick" hx-get="{href}" {_HTMX} aria-label="{label}"{current}>{cell.day.day}</a>'
    return f"{opening}>{link}</td>"


@register.simple_tag
def month_rows(weeks: list[list[DayCell]], base: str) -> str:
    """The calendar's rows: a link on each free day."""
    base = escape(base)
    return mark_safe(  # noqa: S308 - every value above is escaped or a date's digits
        "".join('<tr role="row">' + "".join(_cell(c, base) for c in week) + "</tr>\n      " for week in weeks)
    )


@register.simple_tag
def slot_list(groups: list[SlotGroup], day, base: str, chosen) -> str:
    """The day's times by part of the day, each a link choosing it; a time inside the
    cancellation window carries its note."""
    base = f"{escape(base)}?day={day.isoformat()}"
    parts = []
    for g, group in enumerate(groups, start=1):
        items = []
        for s, slot in enumerate(group.slots, start=1):
            href = f"{base}&slot={escape(slot.param)}"
            late = escape(slot.late_notice)
            link = f'<a href="{href}#details" hx-get="{href}" {_HTMX}'
            if late:
                link += f' data-late="{late}" aria-describedby="late-{g}-{s}"'
            if slot.at == chosen:
                link += ' aria-current="true"'
            link += f">{escape(slot.label)}</a>"
            if late:
                link += f'<small class="late" id="late-{g}-{s}">{late}</small>'
            items.append(f"<li>{link}</li>")
        parts.append(
            f'\n      <li class="slot-group"><h4 id="part-{g}">{escape(group.name)}</h4>\n'
            f'        <ul aria-labelledby="part-{g}">\n        {"".join(items)}\n'
            "        </ul>\n      </li>\n    "
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
