"""The staff insight page: the figures that say whether micro-mentoring works here, live
(reads only): repeat bookings, action items done, cohort fill, GMV and take rate.

Every figure is one selector that asks the database for an aggregate (grouped counts and sums,
``Exists``/``Subquery`` for per-person facts), so its cost does not grow with a Python loop over
rows; the rows it returns are already one per month, state, currency or group. Results are cached
for a few minutes under one key per figure (``figure_rows``), and the same rows feed the page's
charts and the CSV downloads. Money is integer minor units, always grouped by currency: amounts
in different currencies are never added together. Each rate's 95 % interval, the cohort-vs-solo
comparisons and the retention curves are in ``dashboard.outcomes`` (design: docs/design/outcomes.md).
"""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.code_selectors import code_redemptions_by_month, intro_conversion_by_month
from billing.models import Payment, Refund
from cohorts.models import Cohort, Enrollment, Module, Submission
from dashboard.figure import Figure, Row
from dashboard.outcomes import OUTCOME_FIGURES, REPORT_REPEAT, with_intervals
from groups.selectors import group_fill_by_month
from mentors.models import MentorProfile
from packs.selectors import pack_use_by_month
from qa.selectors import questions_by_month
from sessions.models import ActionItem, Booking
from sessions.request_stats import REQUEST_COLUMNS, request_outcomes_by_month
from sessions.series_selectors import series_by_month

CACHE_SECONDS = 5 * 60
UTC = dt.UTC


def _rate(part: int, whole: int) -> float | None:
    """A share in percent with one decimal, or None when there is nothing to divide by."""
    return round(100 * part / whole, 1) if whole else None


def _month(value: dt.date | dt.datetime | None) -> str:
    return value.strftime("%Y-%m") if value else ""


def _count_of(queryset, field: str = "pk") -> Subquery:
    """A correlated COUNT(*) usable in annotations on both SQLite and PostgreSQL (0 when none)."""
    counted = queryset.order_by().annotate(_one=Value(1)).values("_one").annotate(n=Count(field)).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _is_cohort_member(user_ref: str) -> Exists:
    return Exists(Enrollment.objects.filter(member=OuterRef(user_ref), state__in=Enrollment.MEMBER_STATES))


def repeat_booking_rate() -> list[Row]:
    """Repeat-booking rate of micro-session mentees, by month.

    For month M (UTC, by the session's start): mentees are the distinct people with at least one
    completed micro-session in M; repeat are those of them who have at least one other completed
    micro-session at any time (earlier, later, or a second one in M). Rate = repeat / mentees.
    Cancelled, expired and no-show sessions count for neither side.
    """
    completed = Booking.objects.filter(state=Booking.State.COMPLETED)
    other_completed = completed.filter(mentee=OuterRef("mentee")).exclude(pk=OuterRef("pk"))
    rows = (
        completed.annotate(month=TruncMonth("starts_at", tzinfo=UTC), has_other=Exists(other_completed))
        .values("month")
        .annotate(
            mentees=Count("mentee", distinct=True),
            repeat=Count("mentee", distinct=True, filter=Q(has_other=True)),
        )
        .order_by("month")
    )
    return [
        {
            "month": _month(r["month"]),
            "mentees": r["mentees"],
            "repeat": r["repeat"],
            "rate": _rate(r["repeat"], r["mentees"]),
        }
        for r in rows
    ]


def implementation_rate() -> list[Row]:
    """Implementation rate of solo micro-session mentees against cohort members.

    Cohort members are people with an enrollment that is active or completed (in any cohort);
    solo mentees are everyone else with a micro-session action item. Action items: done / all
    action items recorded on their micro-sessions. Assignments (members only): submissions /
    assignments due so far, i.e. for each member enrollment, the modules of its cohort that have an
    assignment and are released now.
    """
    items = ActionItem.objects.annotate(member=_is_cohort_member("booking__mentee")).aggregate(
        solo_total=Count("pk", filter=Q(member=False)),
        solo_done=Count("pk", filter=Q(member=False, done_at__isnull=False)),
        member_total=Count("pk", filter=Q(member=True)),
        member_done=Count("pk", filter=Q(member=True, done_at__isnull=False)),
    )
    now = timezone.now()
    assignments = Module.objects.filter(cohort=OuterRef("cohort"), release_at__lte=now).exclude(assignment="")
    submitted = Submission.objects.filter(enrollment=OuterRef("pk"), module__release_at__lte=now).exclude(
        module__assignment=""
    )
    work = (
        Enrollment.objects.filter(state__in=Enrollment.MEMBER_STATES)
        .annotate(due=_count_of(assignments), handed_in=_count_of(submitted))
        .aggregate(due_total=Coalesce(Sum("due"), 0), handed_in_total=Coalesce(Sum("handed_in"), 0))
    )
    return [
        {
            "group": _("Solo mentees"),
            "measure": _("Action items done"),
            "label": _("Solo: action items"),
            "done": items["solo_done"],
            "total": items["solo_total"],
            "rate": _rate(items["solo_done"], items["solo_total"]),
        },
        {
            "group": _("Cohort members"),
            "measure": _("Action items done"),
            "label": _("Cohort: action items"),
            "done": items["member_done"],
            "total": items["member_total"],
            "rate": _rate(items["member_done"], items["member_total"]),
        },
        {
            "group": _("Cohort members"),
            "measure": _("Assignments submitted"),
            "label": _("Cohort: assignments"),
            "done": work["handed_in_total"],
            "total": work["due_total"],
            "rate": _rate(work["handed_in_total"], work["due_total"]),
        },
    ]


def cohort_fill_rate() -> list[Row]:
    """Cohort fill rate, by the month the cohorts started.

    Cohorts that started: published or finished (never draft or cancelled) with a start date on or
    before today (UTC). Fill rate = members (active or completed enrollments) / seats_max, summed
    over those cohorts.
    """
    today = timezone.now().date()
    members = Enrollment.objects.filter(cohort=OuterRef("pk"), state__in=Enrollment.MEMBER_STATES)
    rows = (
        Cohort.objects.filter(
            status__in=[Cohort.Status.PUBLISHED, Cohort.Status.FINISHED], start_date__lte=today
        )
        .annotate(month=TruncMonth("start_date"), members=_count_of(members))
        .values("month")
        .annotate(cohorts=Count("pk"), seats=Sum("seats_max"), filled=Sum("members"))
        .order_by("month")
    )
    return [
        {
            "month": _month(r["month"]),
            "cohorts": r["cohorts"],
            "seats": r["seats"],
            "members": r["filled"],
            "rate": _rate(r["filled"], r["seats"]),
        }
        for r in rows
    ]


def waitlist_conversion() -> list[Row]:
    """Waitlist conversion, by the month people joined a waitlist.

    Waitlisted: every enrollment that was ever on a waitlist (it has a waitlisted_at).
    Converted: those of them that are now members (active or completed).
    """
    rows = (
        Enrollment.objects.filter(waitlisted_at__isnull=False)
        .annotate(month=TruncMonth("waitlisted_at", tzinfo=UTC))
        .values("month")
        .annotate(
            waitlisted=Count("pk"),
            converted=Count("pk", filter=Q(state__in=Enrollment.MEMBER_STATES)),
        )
        .order_by("month")
    )
    return [
        {
            "month": _month(r["month"]),
            "waitlisted": r["waitlisted"],
            "converted": r["converted"],
            "rate": _rate(r["converted"], r["waitlisted"]),
        }
        for r in rows
    ]


def ladder_up_rate() -> list[Row]:
    """Ladder-up rate (micro-session → cohort seat or plan), by the month of the session.

    Well-rated sessions: completed micro-sessions whose review gave 4 or 5 stars. Laddered up:
    those whose upgrade offer (billing.UpgradeOffer, good for 14 days) has been redeemed on one of
    the mentor's cohort seats or plans.
    """
    rows = (
        Booking.objects.filter(state=Booking.State.COMPLETED, review__rating__gte=4)
        .annotate(month=TruncMonth("starts_at", tzinfo=UTC))
        .values("month")
        .annotate(
            well_rated=Count("pk"),
            laddered=Count("pk", filter=Q(upgrade_offer__redeemed_at__isnull=False)),
        )
        .order_by("month")
    )
    return [
        {
            "month": _month(r["month"]),
            "well_rated": r["well_rated"],
            "laddered": r["laddered"],
            "rate": _rate(r["laddered"], r["well_rated"]),
        }
        for r in rows
    ]


def intro_conversion_rows() -> list[Row]:
    """Intro-to-paid conversion, by the month of the intro call.

    Of the mentees whose intro call (an offering marked "intro: once per mentee") was completed,
    the share who later booked a paid session with the same mentor that was kept (confirmed,
    completed or a mentee no-show).
    """
    return intro_conversion_by_month()


def code_redemption_rows() -> list[Row]:
    """Promotion code redemptions, by month, whose codes and currency.

    Uses of codes counted when the payment was confirmed by its webhook (a checkout left unpaid
    gives its use back), split into mentors' codes and staff's platform-wide codes, with the list
    price of what was bought and what the codes took off (minor units).
    """
    return code_redemptions_by_month()


def revenue_by_month() -> list[Row]:
    """GMV, platform fee revenue and refunds by month and currency (minor units).

    GMV: the amounts of paid payments (bookings and cohort seats) by the month they were paid.
    Fees: their platform fees. Refunds: succeeded refunds by the month they were made. Take rate =
    fees / GMV. Currencies are kept apart. A payment refused as not the amount asked for sold
    nothing: neither it nor its refund counts.
    """
    paid = (
        Payment.objects.filter(state=Payment.State.PAID, paid_at__isnull=False, amount_mismatch=False)
        .annotate(month=TruncMonth("paid_at", tzinfo=UTC))
        .values("month", "currency")
        .annotate(payments=Count("pk"), gmv=Sum("amount"), fees=Sum("platform_fee"))
    )
    refunded = (
        Refund.objects.filter(state=Refund.State.SUCCEEDED, payment__amount_mismatch=False)
        .annotate(month=TruncMonth("created_at", tzinfo=UTC))
        .values("month", "currency")
        .annotate(refunds=Sum("amount"))
    )
    zero = {"payments": 0, "gmv": 0, "fees": 0, "refunds": 0}
    merged: dict[tuple[str, str], Row] = {}
    for r in [*paid, *refunded]:
        key = (_month(r["month"]), r["currency"])
        merged.setdefault(key, {"month": key[0], "currency": key[1], **zero}).update(
            {k: v for k, v in r.items() if k in zero}
        )
    rows = [merged[key] for key in sorted(merged, key=lambda k: (k[1], k[0]))]
    for row in rows:
        row["take_rate"] = _rate(row["fees"], row["gmv"])
    return rows


def bookings_by_state() -> list[Row]:
    """How many micro-session bookings are in each state, now."""
    counts = dict(Booking.objects.order_by().values_list("state").annotate(n=Count("pk")))
    return [
        {"state": state.value, "label": state.label, "bookings": counts.get(state.value, 0)}
        for state in Booking.State
    ]


RESPONSE_BUCKETS: list[tuple[str, int | None, int | None]] = [
    (_("under 1 h"), None, 60),
    (_("1–4 h"), 60, 240),
    (_("4–24 h"), 240, 1440),
    (_("1 day or more"), 1440, None),
]


def mentor_response_times() -> list[Row]:
    """Distribution of mentors' median response times (median_response_minutes).

    Counts approved mentors that have a median, by bucket (lower bound included, upper excluded);
    a last row gives the median of those medians in minutes (for an even count, the mean of the
    middle two, rounded).
    """
    known = MentorProfile.objects.filter(
        status=MentorProfile.Status.APPROVED, median_response_minutes__isnull=False
    )
    filters = {}
    for index, (_label, low, high) in enumerate(RESPONSE_BUCKETS):
        q = Q()
        if low is not None:
            q &= Q(median_response_minutes__gte=low)
        if high is not None:
            q &= Q(median_response_minutes__lt=high)
        filters[f"bucket_{index}"] = Count("pk", filter=q)
    counts = known.aggregate(total=Count("pk"), **filters)
    total = counts["total"]
    middle = list(
        known.order_by("median_response_minutes").values_list("median_response_minutes", flat=True)[
            max((total - 1) // 2, 0) : total // 2 + 1
        ]
    )
    median = round(sum(middle) / len(middle)) if middle else None
    rows: list[Row] = []
    for i, (label, _low, _high) in enumerate(RESPONSE_BUCKETS):
        mentors = counts[f"bucket_{i}"]
        rows.append({"bucket": label, "mentors": mentors, "total": total, "share": _rate(mentors, total)})
    rows.append(
        {
            "bucket": _("median of medians"),
            "mentors": total,
            "share": None,
            "median_minutes": median,
            "in_chart": False,
        }
    )
    return rows


FIGURES: dict[str, Figure] = {
    f.key: f
    for f in [
        Figure(
            "repeat-booking",
            _("Repeat-booking rate of micro-session mentees"),
            repeat_booking_rate,
            ("month", "mentees", "repeat", "rate"),
            "month",
            "rate",
            kind="line",
            interval=("repeat", "mentees"),
            reference=REPORT_REPEAT,
        ),
        Figure(
            "implementation",
            _("Implementation rate: solo mentees vs cohort members"),
            implementation_rate,
            ("group", "measure", "done", "total", "rate"),
            "label",
            "rate",
            interval=("done", "total"),
        ),
        Figure(
            "cohort-fill",
            _("Cohort fill rate"),
            cohort_fill_rate,
            ("month", "cohorts", "seats", "members", "rate"),
            "month",
            "rate",
            interval=("members", "seats"),
        ),
        Figure(
            "waitlist",
            _("Waitlist conversion"),
            waitlist_conversion,
            ("month", "waitlisted", "converted", "rate"),
            "month",
            "rate",
            interval=("converted", "waitlisted"),
        ),
        Figure(
            "ladder-up",
            _("Ladder-up rate: micro-session → cohort or plan"),
            ladder_up_rate,
            ("month", "well_rated", "laddered", "rate"),
            "month",
            "rate",
            interval=("laddered", "well_rated"),
        ),
        Figure(
            "pack-use",
            _("Pack use: sessions of bought packs held"),
            pack_use_by_month,
            ("month", "packs", "sessions", "held", "ahead", "rate"),
            "month",
            "rate",
            interval=("held", "sessions"),
        ),
        Figure(
            "group-fill",
            _("Group sessions: seats filled of group sessions run"),
            group_fill_by_month,
            ("month", "run", "cancelled", "seats", "filled", "rate"),
            "month",
            "rate",
            interval=("filled", "seats"),
        ),
        Figure(
            "weekly-series",
            _("Weekly series: recurring mentees and sessions kept"),
            series_by_month,
            ("month", "series", "mentees", "sessions", "cancelled", "kept", "rate"),
            "month",
            "rate",
            interval=("kept", "sessions"),
        ),
        Figure(
            "intro-conversion",
            _("Intro-to-paid conversion"),
            intro_conversion_rows,
            ("month", "intros", "paid_after", "rate"),
            "month",
            "rate",
            interval=("paid_after", "intros"),
        ),
        Figure(
            "requests",
            _("Requests to book: accepted, declined, lapsed; median time to answer"),
            request_outcomes_by_month,
            REQUEST_COLUMNS,
            "month",
            "rate",
            interval=("accepted", "decided"),
        ),
        Figure(
            "code-redemptions",
            _("Promotion code redemptions"),
            code_redemption_rows,
            ("month", "codes", "currency", "redemptions", "list_total", "discount_total"),
            "month",
            "redemptions",
            unit="",
        ),
        Figure(
            "revenue",
            _("GMV, platform fees and refunds"),
            revenue_by_month,
            ("month", "currency", "payments", "gmv", "fees", "refunds", "take_rate"),
            "month",
            "gmv",
            unit="money",
        ),
        Figure(
            "bookings",
            _("Bookings by state"),
            bookings_by_state,
            ("state", "label", "bookings"),
            "label",
            "bookings",
            unit="",
        ),
        Figure(
            "questions",
            _("Questions before booking and paid questions: answer rate and revenue"),
            questions_by_month,
            ("month", "kind", "currency", "asked", "answered", "refunded", "revenue", "rate"),
            "label",
            "rate",
            interval=("answered", "asked"),
        ),
        Figure(
            "response-times",
            _("Mentor response times"),
            mentor_response_times,
            ("bucket", "mentors", "total", "share", "median_minutes"),
            "bucket",
            "share",
            interval=("mentors", "total"),
        ),
    ]
}


def chart_rows(rows: list[Row]) -> list[Row]:
    """The rows a chart draws: a summary row (a median, say) stays in the table and the CSV only."""
    return [r for r in rows if r.get("in_chart", True)]


FIGURES.update(OUTCOME_FIGURES)


def figure_rows(key: str) -> list[Row]:
    """The rows of one figure (with its rate's interval), cached for a few minutes."""
    figure = FIGURES[key]
    return cache.get_or_set(
        f"insights:v2:{key}", lambda: with_intervals(figure, figure.selector()), CACHE_SECONDS
    )
