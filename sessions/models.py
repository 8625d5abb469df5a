import uuid
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.history import ChangeHistory
from core.money import CURRENCIES, format_money
from mentors.models import MentorProfile

MAX_PREWORK_PROMPTS = 5
PREWORK_FIELDS = ["outcome", "prework_answers", "context_notes", "links"]


class Offering(models.Model):
    """A micro-session a mentor sells: one outcome, a fixed duration and price."""

    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="offerings")
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=120)
    outcome = models.CharField(_("the one outcome it is for"), max_length=200)
    description = models.TextField(max_length=5000, blank=True, help_text=_("Markdown."))
    duration_minutes = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(15), MaxValueValidator(60)]
    )
    price_amount = models.PositiveIntegerField(default=0, help_text="In minor units (cents).")
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="USD")
    prework_prompts = models.JSONField(default=list, blank=True)
    cancellation_window_hours = models.PositiveSmallIntegerField(
        default=24, validators=[MaxValueValidator(14 * 24)]
    )
    join_url = models.URLField(
        blank=True,
        help_text=_("This offering's own video room; empty: your meeting link, or a generated room."),
    )
    is_published = models.BooleanField(default=False)
    is_intro = models.BooleanField(
        _("intro call: once per mentee"),
        default=False,
        help_text=_("Each mentee can book it once (again only if that booking was cancelled)."),
    )
    requires_approval = models.BooleanField(
        _("request to book: I approve each booking"),
        default=False,
        help_text=_("The time is held and the card authorised; you accept or decline within 48 hours."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = ChangeHistory()

    class Meta:
        ordering = ["price_amount", "duration_minutes"]
        indexes = [models.Index(fields=["mentor", "is_published"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=15, duration_minutes__lte=60)
                & models.Q(duration_minutes__in=[15, 30, 45, 60]),
                name="offering_duration_on_the_grid",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("sessions:offering", args=[self.slug])

    @property
    def price_display(self) -> str:
        return format_money(self.price_amount, self.currency)

    @property
    def is_free(self) -> bool:
        return self.price_amount == 0


class BookingSeries(models.Model):
    """A recurring 1:1: the same weekly time with the same mentor, booked in one step. Each
    occurrence is its own Booking (Booking.series); the series only groups them
    (sessions/services/series.py, docs/design/recurring-sessions.md)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="series")
    mentor = models.ForeignKey(MentorProfile, on_delete=models.PROTECT, related_name="booking_series")
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="booking_series"
    )
    weeks_asked = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2), MaxValueValidator(12)], help_text="The weeks the mentee asked for."
    )
    confirmed_email_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "booking series"
        indexes = [models.Index(fields=["created_at"], name="series_created")]  # the admin's order

    def __str__(self) -> str:
        return f"{self.offering.title} · weekly · {self.created_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        first = self.occurrences.order_by("starts_at").first()
        return first.get_absolute_url() if first else reverse("sessions:offering", args=[self.offering.slug])


class Booking(models.Model):
    class State(models.TextChoices):
        HELD = "held", _("Held while paying")
        CONFIRMED = "confirmed", _("Confirmed")
        COMPLETED = "completed", _("Completed")
        CANCELLED_BY_MENTEE = "cancelled_by_mentee", _("Cancelled by mentee")
        CANCELLED_BY_MENTOR = "cancelled_by_mentor", _("Cancelled by mentor")
        NO_SHOW_MENTEE = "no_show_mentee", _("Mentee did not show")
        NO_SHOW_MENTOR = "no_show_mentor", _("Mentor did not show")
        EXPIRED = "expired", _("Hold expired")
        # Request to book (Offering.requires_approval): the time is held while the mentor decides.
        REQUESTED = "requested", _("Waiting for the mentor")
        DECLINED = "declined", _("Declined by mentor")
        LAPSED = "lapsed", _("Request lapsed")

    ACTIVE_STATES = (State.HELD, State.REQUESTED, State.CONFIRMED)
    # What uses up an intro offering (Offering.is_intro): anything but a cancelled, unpaid or
    # mentor-missed booking.
    INTRO_USED_STATES = (State.HELD, State.REQUESTED, State.CONFIRMED, State.COMPLETED, State.NO_SHOW_MENTEE)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="bookings")
    mentor = models.ForeignKey(MentorProfile, on_delete=models.PROTECT, related_name="bookings")
    mentee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    state = models.CharField(max_length=24, choices=State.choices, default=State.HELD)
    hold_expires_at = models.DateTimeField(null=True, blank=True)

    outcome = models.CharField(_("by the end I will have"), max_length=300)
    prework_answers = models.JSONField(default=list, blank=True)
    context_notes = models.TextField(max_length=4000, blank=True)
    links = models.TextField(max_length=2000, blank=True)

    price_amount = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    join_url = models.URLField()
    reschedule_count = models.PositiveSmallIntegerField(default=0)
    series = models.ForeignKey(
        BookingSeries, on_delete=models.PROTECT, related_name="occurrences", null=True, blank=True
    )
    review_flagged_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set when the session was neither closed nor reported 24 h after its end; staff decide.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # The mentee's pre-work is theirs, edited until the session starts: not copied into the history.
    history = ChangeHistory(excluded_fields=PREWORK_FIELDS)

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["mentor", "starts_at"]),
            models.Index(fields=["mentee", "starts_at"]),
            models.Index(fields=["state", "hold_expires_at"]),
            models.Index(fields=["starts_at"], name="booking_starts_at"),  # the admin's order and dates
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")),
                name="booking_starts_before_end",
            ),
        ]
        # On PostgreSQL the migration 0002_booking_no_overlap adds an exclusion constraint
        # over tstzrange(starts_at, ends_at) of each mentor's held, requested and confirmed
        # bookings (0010_request_to_book added "requested").

    def __str__(self) -> str:
        return f"{self.offering.title} · {self.starts_at:%Y-%m-%d %H:%M} UTC"

    def get_absolute_url(self) -> str:
        return reverse("sessions:booking", args=[self.pk])

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at

    @property
    def price_display(self) -> str:
        return format_money(self.price_amount, self.currency)

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES

    @property
    def prework_pairs(self) -> list[tuple[str, str]]:
        return [(a.get("prompt", ""), a.get("answer", "")) for a in self.prework_answers]

    @property
    def prework_complete(self) -> bool:
        return bool(self.outcome) and all(a.get("answer", "").strip() for a in self.prework_answers)


class BookingEvent(models.Model):
    """The audit trail: every state change of a booking, who made it and when."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    from_state = models.CharField(max_length=24, blank=True)
    to_state = models.CharField(max_length=24)
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state or '∅'} → {self.to_state}"


class ActionItem(models.Model):
    """The one primary thing the mentee will do after the session."""

    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="action_item")
    text = models.CharField(max_length=300)
    due_date = models.DateField()
    notes = models.TextField(max_length=4000, blank=True)
    resources = models.TextField(max_length=2000, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.text

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class Review(models.Model):
    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="review")
    rating = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    text = models.TextField(max_length=2000, blank=True)
    mentor_reply = models.TextField(max_length=2000, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    is_hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_at"], name="review_created")]  # the admin's order
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rating}★ for {self.booking.offering.title}"


class BookingApproval(models.Model):
    """A request to book (Offering.requires_approval): when it was sent, by when the mentor must
    answer, and their answer. One per booking of such an offering, written with the booking."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        LAPSED = "lapsed", _("Lapsed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="approval")
    requested_at = models.DateTimeField(null=True, blank=True, help_text="When the mentor was asked.")
    answer_by = models.DateTimeField(null=True, blank=True, help_text="48 h after, or the start.")
    decision = models.CharField(max_length=9, choices=Decision.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    message = models.CharField(_("message to the mentee"), max_length=300, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["decision", "answer_by"], name="approval_due")]

    def __str__(self) -> str:
        return f"request for {self.booking_id}: {self.decision or 'waiting'}"
