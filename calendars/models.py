"""A mentor's own calendars, and the busy time read from them."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from mentors.models import MentorProfile


class CalendarConnection(models.Model):
    """One calendar source a mentor connected: a subscription feed (any iCalendar address), or a
    CalDAV account whose chosen calendars count as busy and one of which receives their sessions."""

    class Kind(models.TextChoices):
        FEED = "feed", _("Calendar address (iCal)")
        CALDAV = "caldav", _("CalDAV account")
        GOOGLE = "google", _("Google Calendar")

    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="calendar_connections")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.FEED)
    name = models.CharField(max_length=80, help_text=_("Your own label, e.g. “Work (Google)”."))
    # The secret address (or the CalDAV server's) and the app password are credentials: encrypted.
    url = EncryptedTextField()
    username = models.CharField(max_length=200, blank=True)
    password = EncryptedTextField(blank=True)
    # Google: the OAuth tokens, as JSON {"access_token", "refresh_token", "expires_at"}.
    tokens = EncryptedTextField(blank=True)
    # CalDAV and Google: the account's calendars [{"url", "name"}] (a Google calendar's "url" is
    # its id), those that count as busy, and the one that receives the sessions ("": none).
    calendars = models.JSONField(default=list, blank=True)
    busy_calendars = models.JSONField(default=list, blank=True)
    write_calendar = models.TextField(blank=True)
    needs_reconnect = models.BooleanField(default=False)  # Google: the grant was revoked
    etag = models.CharField(max_length=200, blank=True)
    last_modified = models.CharField(max_length=64, blank=True)
    expanded_until = models.DateTimeField(null=True, blank=True)  # busy time read up to here
    created_at = models.DateTimeField(default=timezone.now)
    last_synced_at = models.DateTimeField(null=True, blank=True)  # the last good read
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_sync_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_error = models.CharField(max_length=300, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)  # in a row

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class BusyInterval(models.Model):
    """Time the connection's calendar says the mentor is taken (UTC), replaced on every sync."""

    connection = models.ForeignKey(CalendarConnection, on_delete=models.CASCADE, related_name="busy")
    # Denormalised so the slot engine reads busy time by mentor in the bookings' query.
    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["mentor", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="busy_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M} UTC"


class Clash(models.Model):
    """A confirmed session that the mentor's own calendar now shows as busy. Never cancelled for
    them: the mentor is told once (dashboard and e-mail) and decides; gone when the event is."""

    connection = models.ForeignKey(CalendarConnection, on_delete=models.CASCADE, related_name="clashes")
    booking = models.ForeignKey("mentoring.Booking", on_delete=models.CASCADE, related_name="+")
    found_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "booking"], name="one_clash_per_booking")
        ]

    def __str__(self) -> str:
        return f"{self.booking} clashes with {self.connection.name}"
