"""Inline SVG charts for the staff insight page: geometry here, markup in components/chart.html."""

from __future__ import annotations

import math

from django import template
from django.utils.translation import gettext as _

from core.money import SYMBOLS, format_money

register = template.Library()

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 20, 48


def _shown(value, unit: str, currency: str) -> str:
    if value is None:
        return "n/a"
    if unit == "%":
        return f"{value:g} %"
    if unit == "money":
        return format_money(value, currency) if value else f"{SYMBOLS.get(currency, currency + ' ')}0"
    return f"{value:,}"


def _shorten(text: str, fits: int) -> str:
    return text if len(text) <= fits else text[: fits - 1] + "…"


def _scale(values: list, rows: list, unit: str, kind: str) -> tuple[float, float]:
    """The value at the top and at the bottom of the plot."""
    if kind == "difference":  # percentage points, symmetric around zero, in steps of 10
        ends = [abs(r.get(k)) for r in rows for k in ("low", "high", "difference") if r.get(k) is not None]
        top = max(10, math.ceil(max(ends or [0]) / 10) * 10)
        return top, -top
    if unit == "%":
        return 100, 0
    return max([v for v in values if v is not None] or [0]) or 1, 0


def _shown_at(value, unit: str, currency: str, kind: str) -> str:
    if kind == "difference":
        return _("%(points)s pts") % {"points": f"{value:+g}"} if value else "0"
    return _shown(value, unit, currency)


def _segments(points: list[dict]) -> list[str]:
    """The line through the drawn points, broken where a point is missing or too few to say."""
    runs: list[list[str]] = [[]]
    for p in points:
        if p["missing"]:
            runs.append([])
        else:
            runs[-1].append(f"{p['cx']},{p['py']}")
    return [" ".join(run) for run in runs if run]


@register.inclusion_tag("components/chart.html")
def insight_chart(
    rows,
    *,
    label: str,
    value: str,
    title: str,
    unit: str = "%",
    kind: str = "bar",
    currency: str = "",
    chart_id: str = "chart",
    reference=None,
) -> dict:
    """A bar, line or difference chart of `value` per `label` over `rows`.

    Percentages are drawn on 0–100, differences on a scale symmetric around zero. A row's 95 %
    interval (its `low` and `high`) is drawn as a whisker; a row that is `too_few` gets no point,
    only the words "too few"; a `reference` (dashed, labelled with its source) is drawn across.
    """
    rows = list(rows)
    values = [None if r.get("too_few") else r.get(value) for r in rows]
    top, bottom = _scale(values, rows, unit, kind)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y_of(v) -> float:
        return round(TOP + plot_h * (top - v) / (top - bottom), 1)

    zero = y_of(0)
    step = plot_w / max(len(rows), 1)
    bar_w = max(min(step * 0.6, 60), 4)
    fits = max(int(step / 6.2), 4)  # characters of an 11px label that fit under one bar
    points = []
    for row, v in zip(rows, values, strict=True):
        cx = LEFT + step * len(points) + step / 2
        y = zero if v is None else y_of(v)
        whisker = v is not None and row.get("low") is not None and row.get("high") is not None
        text = _shown_at(v, unit, currency, kind)
        if whisker:
            text = _("%(value)s (%(low)s–%(high)s)") % {
                "value": text,
                "low": f"{row['low']:g}",
                "high": f"{row['high']:g}",
            }
        points.append(
            {
                "label": str(row.get(label, "")),
                "short": _shorten(str(row.get(label, "")), fits),
                "text": _("too few") if row.get("too_few") else text,
                "value_text": _shown_at(v, unit, currency, kind) if v is not None else "",
                "missing": v is None,
                "too_few": bool(row.get("too_few")),
                "whisker": whisker,
                "low_y": y_of(row["low"]) if whisker else 0,
                "high_y": y_of(row["high"]) if whisker else 0,
                "x": round(cx - bar_w / 2, 1),
                "cx": round(cx, 1),
                "py": y,
                "y": min(y, zero),
                "h": round(abs(zero - y), 1),
                "w": round(bar_w, 1),
            }
        )
    marks = (bottom, (top + bottom) / 2, top)
    grid = [
        {"y": y_of(m), "text": _shown_at(round(m) if unit != "%" else m, unit, currency, kind)} for m in marks
    ]
    description = "; ".join(f"{p['label']}: {p['text']}" for p in points) or _("No data yet.")
    line = None
    if reference is not None:
        line = {"y": y_of(reference.value), "text": str(reference.source)}
        description = f"{description}. {line['text']}"
    return {
        "title": title,
        "chart_id": chart_id,
        "description": description,
        "points": points,
        "grid": grid,
        "kind": kind,
        "reference": line,
        "lines": _segments(points),
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right_edge": WIDTH - RIGHT,
        "baseline": TOP + plot_h,
        "zero": zero,
        "label_y": TOP + plot_h + 16,
    }
