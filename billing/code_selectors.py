"""Reads about promotion codes and intro calls: a mentor's codes with their uses, and the two
figures the insight pages show (code redemptions, intro-to-paid conversion)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth

from mentors.models import MentorProfile
from sessions.models import Booking

from .codes_models import CodeRedemption, PromotionCode

REDEEMED = CodeRedemption.State.REDEEMED
KEPT = (Booking.State.CONFIRMED, Booking.State.COMPLETED, Booking.State.NO_SHOW_MENTEE)


def mentor_codes(*, mentor: MentorProfile):
    """The mentor's codes, live ones first, with their uses counted (redeemed; held by open
    checkouts), in one query."""
    return (
        PromotionCode.objects.filter(mentor=mentor)
        .annotate(
            redeemed=Count("redemptions", filter=Q(redemptions__state=REDEEMED)),
            held=Count("redemptions", filter=Q(redemptions__state=CodeRedemption.State.HELD)),
        )
        .order_by("-is_active", "-created_at")
    )


def code_redemptions_by_month(*, mentor: MentorProfile | None = None) -> list[dict]:
    """Code redemptions: uses of promotion codes counted when the payment was confirmed, by month
    of that confirmation, whose codes (a mentor's or platform-wide staff codes) and currency, with
    the buyers' list price and what the codes took off (minor units)."""
    uses = CodeRedemption.objects.filter(state=REDEEMED)
    if mentor is not None:
        uses = uses.filter(code__mentor=mentor)
    rows = (
        uses.annotate(month=TruncMonth("redeemed_at", tzinfo=dt.UTC), platform=Q(code__mentor__isnull=True))
        .values("month", "platform", "currency")
        .annotate(redemptions=Count("pk"), list_total=Sum("list_amount"), discount_total=Sum("discount"))
        .order_by("month", "platform", "currency")
    )
    return [
        {
            "month": r["month"].strftime("%Y-%m") if r["month"] else "",
            "codes": "staff (platform-wide)" if r["platform"] else "mentors'",
            "currency": r["currency"],
            "redemptions": r["redemptions"],
            "list_total": r["list_total"],
            "discount_total": r["discount_total"],
        }
        for r in rows
    ]


def intro_conversion_by_month(*, mentor: MentorProfile | None = None) -> list[dict]:
    """Intro-to-paid conversion: of the mentees whose intro call (an offering marked "once per
    mentee") was completed, by the month of that call, the share who later booked a paid session
    with the same mentor that was kept (confirmed, completed or a mentee no-show; started after
    the intro call)."""
    later_paid = Booking.objects.filter(
        mentor_id=OuterRef("mentor_id"),
        mentee_id=OuterRef("mentee_id"),
        offering__is_intro=False,
        price_amount__gt=0,
        state__in=KEPT,
        starts_at__gt=OuterRef("starts_at"),
    )
    intros = Booking.objects.filter(offering__is_intro=True, state=Booking.State.COMPLETED)
    if mentor is not None:
        intros = intros.filter(mentor=mentor)
    rows = (
        intros.annotate(month=TruncMonth("starts_at", tzinfo=dt.UTC), converted=Exists(later_paid))
        .values("month")
        .annotate(intros=Count("pk"), paid_after=Count("pk", filter=Q(converted=True)))
        .order_by("month")
    )
    return [
        {
            "month": r["month"].strftime("%Y-%m") if r["month"] else "",
            "intros": r["intros"],
            "paid_after": r["paid_after"],
            "rate": round(100 * r["paid_after"] / r["intros"], 1) if r["intros"] else None,
        }
        for r in rows
    ]


def mentor_code_figures(*, mentor: MentorProfile) -> dict:
    """The mentor's own totals for their codes page: intro calls that led to a paid session, and
    their codes' redemptions."""
    intro = intro_conversion_by_month(mentor=mentor)
    intros = sum(r["intros"] for r in intro)
    paid_after = sum(r["paid_after"] for r in intro)
    redemptions = code_redemptions_by_month(mentor=mentor)
    by_currency: dict[str, int] = {}
    for r in redemptions:
        by_currency[r["currency"]] = by_currency.get(r["currency"], 0) + r["discount_total"]
    return {
        "intros": intros,
        "paid_after_intro": paid_after,
        "intro_rate": round(100 * paid_after / intros) if intros else None,
        "redemptions": sum(r["redemptions"] for r in redemptions),
        "discount_by_currency": sorted(by_currency.items()),
    }
