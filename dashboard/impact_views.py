"""The mentor's Impact page (/mentor/impact/): reads in dashboard.impact, the small server-drawn
SVG charts' geometry here, markup in templates/dashboard/impact.html. Its URL keeps its name in
the mentors namespace beside the other /mentor/ pages (config/urls.py)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mentors.selectors import own_mentor_profile

from .impact import MIN_PEOPLE, MONTHS, Figure, Point, impact_figures

WIDTH, HEIGHT = 360, 150
LEFT, RIGHT, TOP, BOTTOM = 64, 8, 22, 26


def minutes_text(minutes: float) -> str:
    minutes = round(minutes)
    if minutes < 60:
        return _("%(minutes)s min") % {"minutes": minutes}
    hours, rest = divmod(minutes, 60)
    if hours < 48 and not rest:
        return _("%(hours)s h") % {"hours": hours}
    if hours < 48:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": rest}
    return _("%(days)s d") % {"days": round(minutes / 1440, 1)}


def value_text(figure: Figure, value: float | None) -> str:
    if value is None:
        return "—"
    return f"{round(100 * value)} %" if figure.unit == "%" else minutes_text(value)


def short_text(figure: Figure, value: float) -> str:
    """What a chart writes above a month: narrow enough for six columns on a phone."""
    if figure.unit == "%" or value < 60:
        return value_text(figure, value)
    return _("%(hours)s h") % {"hours": f"{value / 60:.1f}"}


def _describe(figure: Figure, point: Point) -> dict:
    """What the page and the table say about one point."""
    if not point.shown:
        return {
            "shown": False,
            "people": point.people,
            "text": _("Not enough mentees yet (%(people)s of %(needed)s)")
            % {"people": point.people, "needed": MIN_PEOPLE},
            "short": _("too few") if point.people else _("none"),
        }
    if point.share is not None:
        value, low, high = point.share.rate, point.share.low, point.share.high
        detail = _("%(part)s of %(whole)s") % {"part": point.part, "whole": point.whole}
    else:
        value, low, high = point.median, point.low, point.high
        detail = ngettext("%(count)s reply", "%(count)s replies", point.whole) % {"count": point.whole}
    return {
        "shown": True,
        "people": point.people,
        "value": value,
        "low": low,
        "high": high,
        "text": value_text(figure, value),
        "short": short_text(figure, value),
        "interval": _("%(low)s to %(high)s")
        % {"low": value_text(figure, low), "high": value_text(figure, high)},
        "detail": detail,
        "coverage": round(100 * point.coverage)
        if point.coverage is not None and point.coverage < 0.95
        else None,
    }


def chart(figure: Figure, months: list[dict]) -> dict:
    """A whisker chart: one column per month, a dot at the figure with its interval as a line,
    the value written above it, "too few" written where a month is withheld, and the platform
    median as a dashed line labelled "Platform" (so nothing depends on colour)."""
    shown = [m for m in months if m["shown"]]
    # Shares on 0–100 %; minutes from 0 to a little above the highest interval end or platform line.
    top = 1.0 if figure.unit == "%" else max([m["high"] for m in shown] + [figure.platform or 0, 1]) * 1.1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / len(months)

    def y(value: float) -> float:
        return round(TOP + plot_h * (1 - value / top), 1)

    columns = []
    for i, m in enumerate(months):
        cx = round(LEFT + step * i + step / 2, 1)
        column = {"cx": cx, "label": m["label"], "shown": m["shown"], "short": m["short"]}
        if m["shown"]:
            column.update(
                cy=y(m["value"]), y_low=y(m["low"]), y_high=y(m["high"]), text_y=max(y(m["high"]) - 5, 10)
            )
        else:  # staggered: "zu wenige" is wider than a column on a phone
            column["text_y"] = TOP + plot_h / 2 + (16 if i % 2 else 0)
        columns.append(column)
    platform_y = y(figure.platform) if figure.platform is not None else None
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "columns": columns,
        "baseline": TOP + plot_h,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "label_y": HEIGHT - 8,
        "platform_y": platform_y,
        "platform_label_x": LEFT - 4,
    }


@login_required
def impact(request):
    mentor = own_mentor_profile(user=request.user)
    figures = []
    for figure in impact_figures(mentor.pk, now=timezone.now()):
        months = [
            {**_describe(figure, point), "month": month, "label": date_format(month, "M")}
            for month, point in figure.months
        ]
        figures.append(
            {
                "figure": figure,
                "overall": _describe(figure, figure.overall),
                "platform": value_text(figure, figure.platform) if figure.platform is not None else None,
                "months": months,
                "chart": chart(figure, months),
            }
        )
    first: dt.date = figures[0]["months"][0]["month"]
    return render(
        request,
        "dashboard/impact.html",
        {
            "mentor": mentor,
            "figures": figures,
            "first_month": first,
            "min_people": MIN_PEOPLE,
            "months": MONTHS,
        },
    )


mentor_pages = [path("mentor/impact/", impact, name="impact")]
