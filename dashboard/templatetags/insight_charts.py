"""Inline SVG charts for the staff insight page: geometry here, markup in components/chart.html."""

from __future__ import annotations

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
) -> dict:
    """A bar or line chart of `value` per `label` over `rows`; percentages are drawn on 0–100."""
    rows = list(rows)
    values = [r.get(value) for r in rows]
    top = 100 if unit == "%" else max([v for v in values if v is not None] or [0]) or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(rows), 1)
    bar_w = max(min(step * 0.6, 60), 4)
    fits = max(int(step / 6.2), 4)  # characters of an 11px label that fit under one bar
    points = []
    for i, (row, v) in enumerate(zip(rows, values, strict=True)):
        h = 0 if v is None else plot_h * v / top
        cx = LEFT + step * i + step / 2
        points.append(
            {
                "label": str(row.get(label, "")),
                "short": _shorten(str(row.get(label, "")), fits),
                "text": _shown(v, unit, currency),
                "missing": v is None,
                "x": round(cx - bar_w / 2, 1),
                "cx": round(cx, 1),
                "y": round(TOP + plot_h - h, 1),
                "h": round(h, 1),
                "w": round(bar_w, 1),
            }
        )
    grid = [
        {
            "y": round(TOP + plot_h - plot_h * f, 1),
            "text": _shown(round(top * f) if unit != "%" else 100 * f, unit, currency),
        }
        for f in (0, 0.5, 1)
    ]
    description = "; ".join(f"{p['label']}: {p['text']}" for p in points) or _("No data yet.")
    return {
        "title": title,
        "chart_id": chart_id,
        "description": description,
        "points": points,
        "grid": grid,
        "kind": kind,
        "line": " ".join(f"{p['cx']},{p['y']}" for p in points if not p["missing"]),
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right_edge": WIDTH - RIGHT,
        "baseline": TOP + plot_h,
        "label_y": TOP + plot_h + 16,
    }
