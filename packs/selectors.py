"""Reads for packs: what the offering page, the booking page, the profile and the dashboard show,
the pages of a pack, the mentor's list, and the insight page's figure."""

from __future__ import annotations

import datetime as dt
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from mentors.models import MentorProfile
from sessions.models import Booking, Offering

from .models import Pack, PackPurchase, PackSession

State = PackPurchase.State
UNSPENT = Q(pack_sessions__booking__isnull=True)


def packs_for_sale(*, mentor_id: int) -> QuerySet[Pack]:
    """The mentor's packs a visitor can buy (the profile lists them)."""
    return (
        Pack.objects.filter(
            offering__mentor_id=mentor_id,
            is_published=True,
            offering__is_published=True,
            offering__price_amount__gt=0,
        )
        .select_related("offering")
        .order_by("offering__price_amount", "pk")
    )


def usable_packs(*, user, now: datetime | None = None) -> QuerySet[PackPurchase]:
    """The user's active packs that have not ended, with `sessions_left`."""
    now = now or timezone.now()
    return (
        PackPurchase.objects.filter(mentee_id=user.pk, state=State.ACTIVE, expires_at__gt=now)
        .annotate(sessions_left=Count("pack_sessions", filter=UNSPENT))
        .select_related("offering__mentor__user")
        .order_by("expires_at")
    )


def offering_page_context(*, offering: Offering, viewer) -> dict:
    """The offering page: the pack for sale, and the viewer's pack of it with sessions left (the
    booking form then offers "use a session of my pack")."""
    pack = Pack.objects.filter(offering=offering, is_published=True).first()
    context = {
        "pack": pack if pack and pack.is_for_sale else None,
        "pack_purchase": None,
        "pack_sessions_left": 0,
    }
    if getattr(viewer, "is_authenticated", False):
        # Without usable_packs' joins: grouping their columns cost more than the rest of the query.
        mine = [
            p
            for p in usable_packs(user=viewer).filter(offering=offering).select_related(None)
            if p.sessions_left
        ]
        if mine:
            context["pack_purchase"] = mine[0]
            context["pack_sessions_left"] = sum(p.sessions_left for p in mine)
    return context


def booking_page_context(*, booking: Booking, viewer, now, forms) -> dict:
    """The pack session that paid for the booking, on its page."""
    if booking.price_amount:
        return {}
    session = PackSession.objects.filter(booking=booking).select_related("purchase").first()
    return {"pack_session": session}


def mentee_packs(*, user, now: datetime | None = None) -> list[PackPurchase]:
    """The dashboard's list: the mentee's packs still valid, with their sessions left."""
    return list(usable_packs(user=user, now=now))


def usable_packs_of(*, user, now: datetime) -> QuerySet[PackPurchase]:
    """The same packs without their counts: the dashboard's one query of existence tests."""
    return PackPurchase.objects.filter(mentee_id=user.pk, state=State.ACTIVE, expires_at__gt=now)


def purchase_for_viewer(*, user: User, purchase_id) -> PackPurchase:
    """A pack as its mentee, its mentor or staff see it; 404 for anyone else."""
    purchase = (
        PackPurchase.objects.select_related("offering__mentor__user", "mentee", "pack")
        .annotate(sessions_left=Count("pack_sessions", filter=UNSPENT))
        .filter(pk=purchase_id)
        .first()
    )
    if purchase is None or not (
        user.is_staff or purchase.mentee_id == user.pk or purchase.offering.mentor.user_id == user.pk
    ):
        raise Http404("No such pack.")
    return purchase


def own_purchase(*, user: User, purchase_id) -> PackPurchase:
    purchase = PackPurchase.objects.filter(pk=purchase_id, mentee_id=user.pk).first()
    if purchase is None:
        raise Http404("No such pack.")
    return purchase


def purchase_sessions(*, purchase: PackPurchase) -> list[PackSession]:
    return list(purchase.pack_sessions.select_related("booking").order_by("number"))


def public_pack(*, pack_id: int) -> Pack:
    pack = Pack.objects.select_related("offering__mentor__user").filter(pk=pack_id).first()
    if pack is None or not pack.is_for_sale or not pack.offering.mentor.is_approved:
        raise Http404("No such pack.")
    return pack


HELD = [Booking.State.COMPLETED, Booking.State.NO_SHOW_MENTEE]


def mentor_packs(*, mentor: MentorProfile) -> list[Pack]:
    """The mentor's packs with their use: packs bought, the sessions in them, and those held."""
    bought = Q(purchases__state__in=[State.ACTIVE, State.CLOSED])
    return list(
        Pack.objects.filter(offering__mentor=mentor)
        .select_related("offering")
        .annotate(
            sold=Count("purchases", filter=bought, distinct=True),
            sessions_sold=Count("purchases__pack_sessions", filter=bought),
            sessions_held=Count(
                "purchases__pack_sessions",
                filter=bought & Q(purchases__pack_sessions__booking__state__in=HELD),
            ),
        )
        .order_by("offering__title")
    )


def offerings_without_pack(*, mentor: MentorProfile) -> QuerySet[Offering]:
    return Offering.objects.filter(mentor=mentor, price_amount__gt=0, pack__isnull=True).order_by("title")


def mentor_pack_buyers(*, mentor: MentorProfile) -> list[PackPurchase]:
    return list(
        PackPurchase.objects.filter(mentor=mentor, state__in=[State.ACTIVE, State.CLOSED])
        .annotate(sessions_left=Count("pack_sessions", filter=UNSPENT))
        .select_related("mentee", "offering")
        .order_by("-paid_at")[:50]
    )


def pack_use_by_month() -> list[dict]:
    """Pack use, by month of purchase.

    For packs bought in month M (UTC, by the payment's confirmation; refunded in full excluded):
    packs, the sessions they hold, the sessions spent on a booking that happened (completed or the
    mentee did not show), the sessions booked and still ahead, and the share used = held / sessions.
    Sessions given back by a cancellation count as not used.
    """
    rows = (
        PackPurchase.objects.filter(state__in=[State.ACTIVE, State.CLOSED])
        .annotate(month=TruncMonth("paid_at", tzinfo=dt.UTC))
        .values("month")
        .annotate(
            packs=Count("pk", distinct=True),
            sessions=Count("pack_sessions"),
            held=Count(
                "pack_sessions",
                filter=Q(pack_sessions__booking__state__in=HELD),
            ),
            ahead=Count("pack_sessions", filter=Q(pack_sessions__booking__state__in=Booking.ACTIVE_STATES)),
        )
        .order_by("month")
    )
    return [
        {
            "month": r["month"].strftime("%Y-%m") if r["month"] else "",
            "packs": r["packs"],
            "sessions": r["sessions"],
            "held": r["held"],
            "ahead": r["ahead"],
            "rate": round(100 * r["held"] / r["sessions"], 1) if r["sessions"] else None,
        }
        for r in rows
    ]
