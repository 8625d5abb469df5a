from uuid import UUID

from django.utils import timezone

from billing.selectors import mentee_upgrade_offers
from core.reversing import url_maker
from sessions.models import ActionItem, Booking

State = Booking.State


# The columns the mentee's lists show (and what `prework_complete` reads): each list loads only
# these, not every column of five joined tables (issue 22: the wide rows cost more CPU than the
# page's template).
BOOKING_COLUMNS = (
    "id",
    "starts_at",
    "ends_at",
    "state",
    "outcome",
    "prework_answers",
    "offering__id",
    "offering__title",
    "mentor__id",
    "mentor__slug",
    "mentor__user__id",
    "mentor__user__display_name",
    "mentor__user__email",
)


SAMPLE_ID = UUID(int=0)


def _with_links(bookings: list[Booking]) -> list[Booking]:
    """Each booking's page and .ics links as `url` and `ics_url`, reversed once for the list."""
    page, ics = url_maker("sessions:booking", SAMPLE_ID), url_maker("sessions:booking_ics", SAMPLE_ID)
    for b in bookings:
        b.url, b.ics_url = page(b.pk), ics(b.pk)
    return bookings


def mentee_dashboard(user) -> dict:
    now = timezone.now()
    bookings = (
        Booking.objects.filter(mentee=user).select_related("offering", "mentor__user").only(*BOOKING_COLUMNS)
    )
    upcoming = _with_links(
        list(bookings.filter(state__in=Booking.ACTIVE_STATES, ends_at__gt=now).order_by("starts_at"))
    )
    open_items = list(
        ActionItem.objects.filter(booking__mentee=user, done_at__isnull=True)
        .select_related("booking__offering")
        .only("id", "text", "due_date", "booking__id", "booking__offering__id", "booking__offering__title")
        .order_by("due_date")
    )
    _with_links([item.booking for item in open_items])
    return {
        "upcoming": upcoming,
        "prework_due": [b for b in upcoming if not b.prework_complete],
        "open_items": open_items,
        "past": _with_links(
            list(
                bookings.exclude(state__in=Booking.ACTIVE_STATES, ends_at__gt=now)
                .select_related("action_item")
                .only(*BOOKING_COLUMNS, "action_item__id", "action_item__text", "action_item__done_at")
                .order_by("-starts_at")[:20]
            )
        ),
        "upgrade_offers": mentee_upgrade_offers(mentee=user, now=now),
    }


def mentor_dashboard(mentor) -> dict:
    now = timezone.now()
    zone = mentor.user.zone
    today = now.astimezone(zone).date()
    bookings = Booking.objects.filter(mentor=mentor).select_related("offering", "mentee")
    upcoming = list(bookings.filter(state=State.CONFIRMED, ends_at__gt=now).order_by("starts_at")[:50])
    return {
        "today": [b for b in upcoming if b.starts_at.astimezone(zone).date() == today],
        "later": [b for b in upcoming if b.starts_at.astimezone(zone).date() != today],
        "to_close": list(bookings.filter(state=State.CONFIRMED, ends_at__lte=now).order_by("starts_at")),
        "offerings": list(mentor.offerings.all()),
    }
