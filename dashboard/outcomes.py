"""The staff insight page's evidence: how sure each rate is, cohort members against solo mentees
compared fairly, and repeat booking as retention curves (reads only; design in
docs/design/outcomes.md).

- Every rate with a part and a whole gets its 95 % Wilson interval (``core.stats.wilson``); a
  group with fewer than ``MIN_GROUP`` in its denominator is "too few to say": no point is drawn,
  the interval stays in the table and the CSV.
- ``cohort_vs_solo``: the difference in action items done, cohort members minus solo mentees, with
  Newcombe's interval, three ways: everyone; the same people before and after they joined a
  cohort; and within each mentor (their cohorts' members against their solo mentees), pooled with
  Mantel–Haenszel weights.
- ``retention_curves``: of the mentees whose first completed session was in month M, the share
  with another completed session within 30, 60 and 90 days, counting only those whose window has
  fully passed.

Every selector is a fixed number of aggregate queries (GROUP BY, ``Exists``, ``Subquery``); only
the per-mentor rows (one per mentor, already aggregated) are combined in Python.
"""

from __future__ import annotations

import datetime as dt
import math

from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cohorts.models import Enrollment
from core.stats import Z95, Difference, newcombe, wilson
from dashboard.figure import Figure, Reference, Row
from sessions.models import ActionItem, Booking

UTC = dt.UTC
MIN_GROUP = 10  # fewer than this in a rate's denominator: "too few to say", no point drawn
WINDOWS = (30, 60, 90)  # days, for the retention curves
REPORT_REPEAT = Reference(62.0, gettext_lazy("trend report: 62 %"))


def _pct(fraction: float | None) -> float | None:
    return None if fraction is None else round(100 * fraction, 1)


def interval_cells(part: int, whole: int) -> Row:
    """The 95 % Wilson bounds of part/whole in percent, and whether the group is too small."""
    share = wilson(part, whole) if 0 <= part <= whole else None
    if share is None:
        return {"low": None, "high": None, "too_few": True}
    return {"low": _pct(share.low), "high": _pct(share.high), "too_few": whole < MIN_GROUP}


def with_intervals(figure: Figure, rows: list[Row]) -> list[Row]:
    """Each row of a figure whose rate has a part and a whole, with that rate's interval."""
    if figure.interval:
        part, whole = figure.interval
        for row in rows:
            if isinstance(row.get(part), int) and isinstance(row.get(whole), int):
                row.update(interval_cells(row[part], row[whole]))
    return rows


# --- Cohort members against solo mentees -------------------------------------------------------

MEMBER = Enrollment.MEMBER_STATES


def _is_member(user_ref: str, **more) -> Exists:
    return Exists(Enrollment.objects.filter(member=OuterRef(user_ref), state__in=MEMBER, **more))


def _timed_items():
    """Action items with the day of their session (UTC) and the day their mentee's first cohort
    started (NULL for people never in one): on or after it, the item is from their cohort time."""
    since = Enrollment.objects.filter(member=OuterRef("booking__mentee"), state__in=MEMBER)
    return ActionItem.objects.annotate(
        since=Subquery(since.order_by("cohort__start_date").values("cohort__start_date")[:1]),
        day=TruncDate("booking__starts_at", tzinfo=UTC),
    )


def _people_with_both():
    """The mentees with action items both before their first cohort's start and on or after it
    (one grouped subquery, evaluated once)."""
    before, after = Q(day__lt=F("since")), Q(day__gte=F("since"))
    return (
        _timed_items()
        .filter(since__isnull=False)
        .values("booking__mentee")
        .annotate(before=Count("pk", filter=before), after=Count("pk", filter=after))
        .filter(before__gt=0, after__gt=0)
        .values("booking__mentee")
    )


def _done_and_total(name: str, q: Q) -> dict:
    return {
        f"{name}_done": Count("pk", filter=q & Q(done_at__isnull=False)),
        f"{name}_total": Count("pk", filter=q),
    }


def _finding(diff: Difference | None, too_few: bool) -> str:
    if diff is None or too_few:
        return _("Too few to say.")
    if not diff.clear:
        return _("No clear difference: the interval includes zero.")
    if diff.difference > 0:
        return _("Cohort members completed more action items; the interval leaves out zero.")
    return _("Cohort members completed fewer action items; the interval leaves out zero.")


def _comparison(label: str, cohort: tuple[int, int], solo: tuple[int, int], **more) -> Row:
    first, second = wilson(*cohort), wilson(*solo)
    diff = more.pop("difference", None) or newcombe(first, second)
    too_few = min(cohort[1], solo[1]) < MIN_GROUP
    return {
        "comparison": label,
        "cohort_done": cohort[0],
        "cohort_total": cohort[1],
        "cohort_rate": _pct(first.rate if first else None),
        "solo_done": solo[0],
        "solo_total": solo[1],
        "solo_rate": _pct(second.rate if second else None),
        "difference": None if diff is None else _pct(diff.difference),
        "low": None if diff is None else _pct(diff.low),
        "high": None if diff is None else _pct(diff.high),
        "too_few": too_few,
        "finding": _finding(diff, too_few),
        **more,
    }


def mantel_haenszel(strata: list[tuple[int, int, int, int]]) -> Difference | None:
    """The Mantel–Haenszel risk difference over strata (done₁, total₁, done₀, total₀) with a 95 %
    interval from its Wald variance Σ w²·(p₁q₁/n₁ + p₀q₀/n₀) / (Σ w)², w = n₁n₀/(n₁+n₀)."""
    strata = [s for s in strata if s[1] and s[3]]
    if not strata:
        return None
    weights = [n1 * n0 / (n1 + n0) for _d1, n1, _d0, n0 in strata]
    diffs = [d1 / n1 - d0 / n0 for d1, n1, d0, n0 in strata]
    variances = [(d1 / n1) * (1 - d1 / n1) / n1 + (d0 / n0) * (1 - d0 / n0) / n0 for d1, n1, d0, n0 in strata]
    total = sum(weights)
    rd = sum(w * d for w, d in zip(weights, diffs, strict=True)) / total
    half = Z95 * math.sqrt(sum(w * w * v for w, v in zip(weights, variances, strict=True))) / total
    first = wilson(sum(s[0] for s in strata), sum(s[1] for s in strata))
    second = wilson(sum(s[2] for s in strata), sum(s[3] for s in strata))
    return Difference(first, second, rd, max(-1.0, rd - half), min(1.0, rd + half))


def cohort_vs_solo() -> list[Row]:
    """Action items done: cohort members against solo mentees, three ways.

    Everyone: items on the sessions of people ever in a cohort (active or completed) against
    everyone else's. The same people: only people with items both before the first day of their
    first cohort and on or after it; their later items against their earlier ones, pooled. By
    mentor: for each mentor with both, items of their own cohorts' members against items of their
    mentees never in any cohort, on that mentor's sessions; pooled with Mantel–Haenszel weights,
    then one row per mentor. Differences in percentage points with a 95 % interval (Newcombe; the
    pooled one Wald); each action item counts as one observation.
    """
    everyone = ActionItem.objects.annotate(member=_is_member("booking__mentee")).aggregate(
        **_done_and_total("member", Q(member=True)), **_done_and_total("solo", Q(member=False))
    )
    same = (
        _timed_items()
        .filter(booking__mentee__in=_people_with_both())
        .aggregate(
            people=Count("booking__mentee", distinct=True),
            **_done_and_total("later", Q(day__gte=F("since"))),
            **_done_and_total("earlier", Q(day__lt=F("since"))),
        )
    )
    per_mentor = list(
        ActionItem.objects.annotate(
            member=_is_member("booking__mentee"),
            here=_is_member("booking__mentee", cohort__facilitator=OuterRef("booking__mentor")),
        )
        .values("booking__mentor", "booking__mentor__slug")
        .annotate(**_done_and_total("here", Q(here=True)), **_done_and_total("solo", Q(member=False)))
        .filter(here_total__gt=0, solo_total__gt=0)
        .order_by("booking__mentor__slug")
    )
    strata = [(m["here_done"], m["here_total"], m["solo_done"], m["solo_total"]) for m in per_mentor]
    t = {**everyone, **same}
    rows = [
        _comparison(_("Everyone"), (t["member_done"], t["member_total"]), (t["solo_done"], t["solo_total"])),
        _comparison(
            ngettext(
                "The same person, before and after joining a cohort (%(n)s person)",
                "The same people, before and after joining a cohort (%(n)s people)",
                t["people"],
            )
            % {"n": t["people"]},
            (t["later_done"], t["later_total"]),
            (t["earlier_done"], t["earlier_total"]),
        ),
        _comparison(
            ngettext(
                "Within each mentor, pooled (%(n)s mentor)",
                "Within each mentor, pooled (%(n)s mentors)",
                len(strata),
            )
            % {"n": len(strata)},
            (sum(s[0] for s in strata), sum(s[1] for s in strata)),
            (sum(s[2] for s in strata), sum(s[3] for s in strata)),
            difference=mantel_haenszel(strata),
        ),
    ]
    for m, stratum in zip(per_mentor, strata, strict=True):
        label = _("Mentor %(slug)s") % {"slug": m["booking__mentor__slug"]}
        rows.append({**_comparison(label, stratum[:2], stratum[2:]), "in_chart": False})
    return rows


# --- Repeat booking as retention curves ----------------------------------------------------------


def retention_curves() -> list[Row]:
    """Repeat booking as retention curves, by the month of each mentee's first session.

    Of the mentees whose first completed micro-session was in month M (UTC), the share with
    another completed micro-session within 30, 60 and 90 days of the first one's start. A mentee
    counts toward a window only once that many days have passed since their first session
    (eligible); the rest are not counted yet, neither as repeat nor as not.
    """
    completed = Booking.objects.filter(state=Booking.State.COMPLETED)
    earlier = completed.filter(mentee=OuterRef("mentee"), starts_at__lt=OuterRef("starts_at"))
    firsts = completed.filter(~Exists(earlier)).annotate(month=TruncMonth("starts_at", tzinfo=UTC))
    now = timezone.now()
    counts = {}
    for days in WINDOWS:
        until = ExpressionWrapper(F("starts_at") + dt.timedelta(days=days), output_field=DateTimeField())
        again = completed.filter(
            mentee=OuterRef("mentee"),
            starts_at__gt=OuterRef("starts_at"),
            starts_at__lte=OuterRef(f"until_{days}"),
        )
        firsts = firsts.annotate(**{f"until_{days}": until}).annotate(**{f"back_{days}": Exists(again)})
        passed = Q(starts_at__lte=now - dt.timedelta(days=days))
        counts[f"eligible_{days}"] = Count("mentee", distinct=True, filter=passed)
        counts[f"again_{days}"] = Count("mentee", distinct=True, filter=passed & Q(**{f"back_{days}": True}))
    by_month = list(
        firsts.values("month").annotate(mentees=Count("mentee", distinct=True), **counts).order_by("month")
    )
    rows = []
    for days in WINDOWS:
        window = ngettext("within %(days)s day", "within %(days)s days", days) % {"days": days}
        for r in by_month:
            eligible, again = r[f"eligible_{days}"], r[f"again_{days}"]
            rate = round(100 * again / eligible, 1) if eligible else None
            rows.append(
                {
                    "window": window,
                    "chart": f"retention-{days}",
                    "days": days,
                    "month": r["month"].strftime("%Y-%m") if r["month"] else "",
                    "mentees": r["mentees"],
                    "eligible": eligible,
                    "again": again,
                    "rate": rate,
                    **interval_cells(again, eligible),
                }
            )
    return rows


OUTCOME_FIGURES: dict[str, Figure] = {
    f.key: f
    for f in [
        Figure(
            "cohort-vs-solo",
            gettext_lazy("Cohort members against solo mentees, compared fairly"),
            cohort_vs_solo,
            (
                "comparison",
                "cohort_done",
                "cohort_total",
                "cohort_rate",
                "solo_done",
                "solo_total",
                "solo_rate",
                "difference",
                "low",
                "high",
                "too_few",
                "finding",
            ),
            "comparison",
            "difference",
            kind="difference",
        ),
        Figure(
            "retention",
            gettext_lazy("Repeat booking as retention: booked again within 30, 60 and 90 days"),
            retention_curves,
            ("window", "days", "month", "mentees", "eligible", "again", "rate", "low", "high", "too_few"),
            "month",
            "rate",
            kind="line",
            interval=("again", "eligible"),
            reference=REPORT_REPEAT,
            group_by="window",
        ),
    ]
}
