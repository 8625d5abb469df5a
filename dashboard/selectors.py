from django.utils import timezone

from billing.selectors import mentee_upgrade_offers
from sessions.models import ActionItem, Booking

State = Booking.State


def mentee_dashboard(user) -> dict:
    now = timezone.now()
    bookings = Booking.objects.filter(mentee=user).select_related("offering", "mentor__user")
    upcoming = list(bookings.filter(state__in=Booking.ACTIVE_STATES, ends_at__gt=now).order_by("starts_at"))
    return {
        "upcoming": upcoming,
        "prework_due": [b for b in upcoming if not b.prework_complete],
        "open_items": list(
            ActionItem.objects.filter(booking__mentee=user, done_at__isnull=True)
            .select_related("booking__offering", "booking__mentor__user")
            .order_by("due_date")
        ),
        "past": list(
            bookings.exclude(state__in=Booking.ACTIVE_STATES, ends_at__gt=now)
            .select_related("action_item", "review")
            .order_by("-starts_at")[:20]
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
