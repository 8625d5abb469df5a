from django.conf import settings
from django.urls import reverse

from core.emails import templated_email

from .models import CalendarConnection


def send_sync_failing(*, connection_id: int) -> None:
    """The mentor's calendar could not be read three times in a row: what failed and where to fix it."""
    connection = CalendarConnection.objects.select_related("mentor__user").filter(pk=connection_id).first()
    if connection is None or not connection.failures:
        return  # disconnected, or read again since
    user = connection.mentor.user
    templated_email(
        template="calendars/email/sync_failing",
        subject=f"TheMentors cannot read your calendar “{connection.name}”",
        to=[user.email],
        context={
            "connection": connection,
            "user": user,
            "page": settings.SITE_URL + reverse("calendars:list"),
        },
        zone=user.zone,
    ).send()
