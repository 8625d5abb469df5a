from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.emails import templated_email

from .models import CalendarConnection, Clash


def send_sync_failing(*, connection_id: int) -> None:
    """The mentor's calendar could not be read three times in a row: what failed and where to fix it."""
    connection = CalendarConnection.objects.select_related("mentor__user").filter(pk=connection_id).first()
    if connection is None or not connection.failures:
        return  # disconnected, or read again since
    user = connection.mentor.user
    templated_email(
        template="calendars/email/sync_failing",
        subject=lambda: _("TheMentors cannot read your calendar “%(name)s”") % {"name": connection.name},
        to=[user.email],
        context={
            "connection": connection,
            "user": user,
            "page": settings.SITE_URL + reverse("calendars:list"),
        },
        zone=user.zone,
    ).send()


def send_clashes_found(*, connection_id: int, booking_ids: list[str]) -> None:
    """Sessions the mentor's calendar now shows as busy: kept, listed, theirs to move or cancel."""
    clashes = list(
        Clash.objects.filter(connection_id=connection_id, booking_id__in=booking_ids)
        .select_related("connection__mentor__user", "booking__offering", "booking__mentee")
        .order_by("booking__starts_at")
    )
    if not clashes:
        return  # the event went away before this was sent
    user = clashes[0].connection.mentor.user
    templated_email(
        template="calendars/email/clashes_found",
        subject=lambda: pgettext("email subject", "Your calendar shows you busy during a booked session"),
        to=[user.email],
        context={
            "clashes": clashes,
            "connection": clashes[0].connection,
            "user": user,
            "site_url": settings.SITE_URL,
        },
        zone=user.zone,
    ).send()
