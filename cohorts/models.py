"""Cohorts: a group that learns together for a few weeks, led by a mentor (the facilitator)."""

from __future__ import annotations

import secrets
import uuid
import zoneinfo
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.timezones import validate_timezone
from core.history import ChangeHistory
from core.money import CURRENCIES, format_money
from mentors.models import MentorProfile, Skill


class Cohort(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")
        FINISHED = "finished", _("Finished")

    class Phase(models.TextChoices):
        """What a visitor sees: derived from the status, the dates and the seats."""

        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Enrolling")
        FULL = "full", _("Full — waitlist open")
        CLOSED = "closed", _("Enrollment closed")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")

    facilitator = models.ForeignKey(MentorProfile, on_delete=models.PROTECT, related_name="cohorts")
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=120)
    outcome = models.CharField("the outcome it leads to", max_length=200)
    description = models.TextField(max_length=10000, blank=True, help_text="Markdown.")
    skills = models.ManyToManyField(Skill, related_name="cohorts", blank=True)
    start_date = models.DateField()
    weeks = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(26)])
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    seats_min = models.PositiveSmallIntegerField(
        "minimum seats to run", default=2, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    seats_max = models.PositiveSmallIntegerField(
        "maximum seats", default=12, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    price_amount = models.PositiveIntegerField("price per seat", default=0, help_text="Minor units.")
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="USD")
    enrollment_deadline = models.DateTimeField(
        help_text="If fewer than the minimum have enrolled by then, the cohort is cancelled and refunded."
    )
    member_discount_percent = models.PositiveSmallIntegerField(
        "member discount on 1:1 sessions (%)", default=0, validators=[MaxValueValidator(100)]
    )
    norms = models.TextField(
        "norms", max_length=4000, help_text="The group's working agreement; each member accepts it."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcomes_public = models.BooleanField("show anonymised outcomes on the cohort page", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = ChangeHistory()

    class Meta:
        ordering = ["start_date", "pk"]
        indexes = [models.Index(fields=["status", "start_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats_min__lte=models.F("seats_max")), name="cohort_min_le_max"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("cohorts:detail", args=[self.slug])

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def end_date(self) -> date:
        return self.start_date + timedelta(weeks=self.weeks)

    @property
    def starts_at(self) -> datetime:
        """Midnight of the start date where the cohort lives, as an aware datetime."""
        return datetime.combine(self.start_date, datetime.min.time(), tzinfo=self.zone)

    @property
    def ends_at(self) -> datetime:
        return datetime.combine(self.end_date, datetime.min.time(), tzinfo=self.zone)

    @property
    def price_display(self) -> str:
        return format_money(self.price_amount, self.currency) if self.price_amount else gettext("Free")

    @property
    def is_free(self) -> bool:
        return self.price_amount == 0

    @property
    def seats_left(self) -> int:
        """Needs `seats_taken`, annotated by cohorts.selectors.with_seats."""
        return max(self.seats_max - self.seats_taken, 0)

    @property
    def has_started(self) -> bool:
        return timezone.now() >= self.starts_at

    @property
    def phase(self) -> Phase:
        """Where the cohort stands for a visitor; needs `seats_taken` (selectors.with_seats)."""
        now = timezone.now()
        if self.status == self.Status.DRAFT:
            return self.Phase.DRAFT
        if self.status == self.Status.CANCELLED:
            return self.Phase.CANCELLED
        if self.status == self.Status.FINISHED or now >= self.ends_at:
            return self.Phase.FINISHED
        if now >= self.starts_at:
            return self.Phase.RUNNING
        if now >= self.enrollment_deadline:
            return self.Phase.CLOSED
        if self.seats_taken >= self.seats_max:
            return self.Phase.FULL
        return self.Phase.OPEN


class Module(models.Model):
    """One week of the programme: content released on a date, an assignment due on another."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="modules")
    week = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(26)])
    title = models.CharField(max_length=120)
    content = models.TextField(max_length=20000, blank=True, help_text="Markdown.")
    assignment = models.TextField(max_length=4000, blank=True, help_text="Markdown.")
    assignment_due_at = models.DateTimeField(null=True, blank=True)
    release_at = models.DateTimeField(help_text="Members see the content from then.")
    critique_opened_at = models.DateTimeField(null=True, blank=True)
    critique_seed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["week", "pk"]
        constraints = [models.UniqueConstraint(fields=["cohort", "week"], name="module_one_per_week")]

    def __str__(self) -> str:
        return gettext("Week %(week)d: %(title)s") % {"week": self.week, "title": self.title}

    def is_released(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.release_at

    def submissions_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            bool(self.assignment)
            and self.is_released(now)
            and (self.assignment_due_at is None or now < self.assignment_due_at)
        )


class CohortEvent(models.Model):
    """A live session on the cohort's calendar; it takes the facilitator's time like a booking."""

    class Kind(models.TextChoices):
        MODULE_SESSION = "module_session", _("Module session")
        OFFICE_HOURS = "office_hours", _("Office hours")
        PEER_CRITIQUE = "peer_critique", _("Peer critique")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=120, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    join_url = models.URLField(max_length=500, blank=True)
    is_cancelled = models.BooleanField(default=False)
    sequence = models.PositiveIntegerField(default=0, help_text="Bumped on every change (ICS SEQUENCE).")
    updated_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["starts_at", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")), name="event_starts_before_end"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_title} · {self.starts_at:%Y-%m-%d %H:%M} UTC"

    @property
    def display_title(self) -> str:
        return self.title or self.get_kind_display()

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class EnrollmentState(models.TextChoices):
    """Enrollment.State, defined out here so that the model's Meta can name the states."""

    HELD = "held", _("Seat held while paying")
    ACTIVE = "active", _("Member")
    COMPLETED = "completed", _("Completed (alumni)")
    WAITLISTED = "waitlisted", _("On the waitlist")
    OFFERED = "offered", _("Seat offered (24 h to claim)")
    LEFT = "left", _("Left")
    EXPIRED = "expired", _("Lapsed")
    CANCELLED = "cancelled", _("Cancelled")  # the cohort was, or the seat's payment went back in full


class Enrollment(models.Model):
    """A person's place in a cohort: a seat being paid for, a member, or a waitlist position."""

    State = EnrollmentState

    # States that take a seat, and states that are still "in" the cohort in some way.
    SEAT_STATES = (State.HELD, State.ACTIVE, State.COMPLETED, State.OFFERED)
    MEMBER_STATES = (State.ACTIVE, State.COMPLETED)
    OPEN_STATES = (State.HELD, State.ACTIVE, State.COMPLETED, State.WAITLISTED, State.OFFERED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrollments")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrollments")
    state = models.CharField(max_length=10, choices=State.choices)
    price_amount = models.PositiveIntegerField(help_text="Minor units, copied from the cohort at enrollment.")
    currency = models.CharField(max_length=3)
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    norms_accepted_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    facilitator_notes = models.TextField(max_length=4000, blank=True)
    outcome_note = models.CharField(
        "what I achieved", max_length=300, blank=True, help_text="Shown anonymised on the cohort page."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # The facilitator's private notes about the member are not seat or money: not copied.
    history = ChangeHistory(excluded_fields=["facilitator_notes"])

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["cohort", "state"]),
            models.Index(fields=["state", "offer_expires_at"]),
            models.Index(fields=["state", "hold_expires_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "member"],
                condition=Q(
                    state__in=[
                        EnrollmentState.HELD,
                        EnrollmentState.ACTIVE,
                        EnrollmentState.COMPLETED,
                        EnrollmentState.WAITLISTED,
                        EnrollmentState.OFFERED,
                    ]
                ),
                name="enrollment_one_open_per_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} in {self.cohort} ({self.get_state_display()})"

    @property
    def is_member(self) -> bool:
        return self.state in self.MEMBER_STATES

    @property
    def price_display(self) -> str:
        return format_money(self.price_amount, self.currency) if self.price_amount else gettext("Free")


class Attendance(models.Model):
    event = models.ForeignKey(CohortEvent, on_delete=models.CASCADE, related_name="attendance")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(default=True)
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "enrollment"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{'present' if self.present else 'absent'} at {self.event_id}"


class Submission(models.Model):
    """A member's answer to a module's assignment: text and links, editable until it is due."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="submissions")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="submissions")
    text = models.TextField(max_length=10000)
    links = models.TextField(max_length=2000, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["submitted_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["module", "enrollment"], name="submission_once")]

    def __str__(self) -> str:
        return f"{self.enrollment.member} · {self.module}"


class PeerReview(models.Model):
    """Structured feedback on a submission by another member, assigned in a critique round."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="peer_reviews")
    reviewer = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="reviews_to_write")
    what_works = models.TextField(max_length=2000, blank=True)
    suggestion = models.TextField("one suggestion", max_length=2000, blank=True)
    question = models.TextField("one question", max_length=2000, blank=True)
    assigned_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "reviewer"], name="peer_review_once"),
        ]

    def __str__(self) -> str:
        return f"Review of {self.submission} by {self.reviewer.member}"

    @property
    def is_done(self) -> bool:
        return self.submitted_at is not None


class CohortMessage(models.Model):
    """A message from the facilitator to all members: e-mailed, and shown on the cohort page."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=150)
    body = models.TextField(max_length=5000, help_text="Markdown.")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return self.subject


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """The private ICS subscription of one user; regenerating replaces the token (the old one dies)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"

    def get_absolute_url(self) -> str:
        return reverse("cohorts:calendar_feed", args=[self.token])
