import csv

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.security import staff_area
from billing.models import ConnectedAccount
from calendars.selectors import mentor_clashes
from core.money import format_money
from groups.selectors import seats_ahead_of
from matching.selectors import recommendations_of, with_links
from packs.selectors import mentee_packs
from qa.selectors import Inbox, inbox_for, questions_asked_by, questions_to_answer
from subscriptions.selectors import mentee_subscriptions

from . import insights as insights_selectors
from . import selectors
from .insight_texts import INTERVAL_NOTE
from .outcomes import MIN_GROUP


@login_required
def home(request):
    user, now = request.user, timezone.now()
    panels = selectors.mentee_panels(user, now=now)
    # Read through the user, so the navigation's `user.mentor` (base.html) costs no query more.
    mentor = None
    if panels["mentor_profile"]:
        mentor = getattr(user, "mentor", None)
    else:
        selectors.no_mentor_profile(user)
    context = {
        "mentor": mentor,
        "mentee": selectors.mentee_dashboard(user, now=now, upgrade_offers=panels["upgrade_offers"]),
        "subscriptions": mentee_subscriptions(user=user, now=now) if panels["subscriptions"] else [],
        "packs": mentee_packs(user=user, now=now) if panels["packs"] else [],
        "group_seats": list(seats_ahead_of(user=user, now=now)) if panels["group_seats"] else [],
        "inbox": inbox_for(user=user) if panels["messages"] else Inbox(threads=[], unread=0),
        "recommended": with_links(recommendations_of(user=user, main_only=True)[:3], user=user),
        "match_intake": panels["intake"],
        "questions_asked": questions_asked_by(user=user) if panels["questions"] else [],
    }
    if mentor and mentor.is_approved:
        context["mentoring"] = selectors.mentor_dashboard(mentor)
        context["payout_account"] = ConnectedAccount.objects.filter(mentor=mentor).first()
        context["calendar_clashes"] = mentor_clashes(mentor_id=mentor.pk, now=timezone.now())
        context["questions_to_answer"] = questions_to_answer(mentor=mentor)
    return render(request, "dashboard/home.html", context)


def _staff_only(request) -> None:
    """The insight page exists only for staff: everyone else sees a 404, not a hint that it exists."""
    if not request.user.is_staff:
        raise Http404


MONEY_COLUMNS = {"gmv", "fees", "refunds", "revenue"}


def _cell(row: dict, column: str) -> str:
    value = row.get(column)
    if value is None:
        return "—"
    if column in MONEY_COLUMNS:
        return format_money(value, row["currency"]) if value else "0"
    if column in {"rate", "share", "take_rate", "low", "high", "cohort_rate", "solo_rate"}:
        return f"{value:g} %"
    if column == "difference":
        return _("%(points)s points") % {"points": f"{value:+g}"}
    if column == "too_few":
        return _("too few to say") if value else ""
    return str(value)


@login_required
@staff_area
def insights(request):
    _staff_only(request)
    figures = []
    for figure in insights_selectors.FIGURES.values():
        rows = insights_selectors.figure_rows(figure.key)
        figures.append(
            {
                "figure": figure,
                "cells": [[_cell(row, column) for column in figure.all_columns] for row in rows],
                "chart_rows": insights_selectors.chart_rows(rows),
                "findings": insights_selectors.chart_rows(rows) if figure.kind == "difference" else [],
            }
        )
    return render(request, "dashboard/insights.html", {"figures": figures, "min_group": MIN_GROUP})


@login_required
@staff_area
def insight_csv(request, figure: str):
    _staff_only(request)
    spec = insights_selectors.FIGURES.get(figure)
    if spec is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="insights-{spec.key}.csv"'
    writer = csv.DictWriter(response, fieldnames=spec.all_columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(insights_selectors.figure_rows(spec.key))
    # The definition travels with the numbers: after a blank line, as "definition,<text>" rows.
    rows = csv.writer(response)
    rows.writerow([])
    rows.writerow(["definition", str(spec.definition)])
    if spec.interval or "low" in spec.all_columns:
        rows.writerow(["interval", str(INTERVAL_NOTE) % {"n": MIN_GROUP}])
    return response
