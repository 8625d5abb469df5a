import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.timezones import validate_timezone


class Skill(models.Model):
    """A tag from the shared vocabulary; mentors may add new ones."""

    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    synonyms = models.CharField(
        max_length=500,
        blank=True,
        help_text='Other words mentees use for it, comma-separated ("ml, deep learning"): '
        "Find my match reads them in what a mentee writes.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Language(models.Model):
    code = models.CharField(max_length=8, unique=True)
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def rating_sort_key() -> Coalesce:
    """The rating the directory sorts by, unrated mentors last (ratings are 1-5).

    An expression rather than DESC NULLS LAST because SQLite cannot index NULLS LAST;
    the index `mentor_directory_rating` is built on this same expression.
    """
    rating = models.DecimalField(max_digits=3, decimal_places=2)
    return Coalesce("rating_average", Value(0), output_field=rating)


class MentorStatus(models.TextChoices):
    """MentorProfile.Status, defined out here so that the model's Meta can name the states."""

    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")


class MentorProfile(models.Model):
    Status = MentorStatus

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor")
    slug = models.SlugField(max_length=80, unique=True)
    headline = models.CharField(max_length=120)
    bio = models.TextField(max_length=5000, help_text="Markdown.")
    skills = models.ManyToManyField(Skill, related_name="mentors")
    languages = models.ManyToManyField(Language, related_name="mentors")
    years_experience = models.PositiveSmallIntegerField(validators=[MaxValueValidator(60)])
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    photo = models.ImageField(upload_to="mentors/", blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    review_reason = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(auto_now_add=True)

    # Booking rules (minutes unless said otherwise).
    buffer_before = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(120)])
    buffer_after = models.PositiveSmallIntegerField(default=15, validators=[MaxValueValidator(120)])
    minimum_notice = models.PositiveIntegerField(
        default=12 * 60, validators=[MaxValueValidator(14 * 24 * 60)]
    )
    horizon_days = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(1), MaxValueValidator(180)]
    )
    max_sessions_per_day = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    # The mentor's own room (a Zoom personal room, a Meet link) for offerings without one of their
    # own; with neither, each booking gets a generated room.
    meeting_url = models.URLField(blank=True, max_length=500)

    # Kept up to date by services so the directory reads them without aggregating.
    rating_average = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    rating_count = models.PositiveIntegerField(default=0)
    action_items_total = models.PositiveIntegerField(default=0)
    action_items_done = models.PositiveIntegerField(default=0)
    # The lowest price of the mentor's published offerings (minor units), NULL when nothing is
    # published: the directory's "from" price, its price sort and its "listed" test, read
    # without joining the offerings (sessions.previews.mentor_refresh_min_price).
    min_published_price = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # A preview of the next free start times (ISO, UTC), refreshed when bookings or
    # availability change and by a periodic task as time moves on.
    upcoming_slots = models.JSONField(default=list, blank=True)
    next_free_slot_at = models.DateTimeField(null=True, blank=True, db_index=True)

    # Async Q&A: what the mentor promises, and what they do (median minutes from a mentee's
    # message to the mentor's next answer, kept up to date when the mentor answers).
    expected_response_hours = models.PositiveSmallIntegerField(
        _("I usually answer within (hours)"), null=True, blank=True, validators=[MaxValueValidator(168)]
    )
    median_response_minutes = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # Ladder up: after a well-rated session, offer the mentee this mentor's cohort or plan.
    ladder_up_nudges = models.BooleanField(
        _("Offer my cohorts and plans to mentees after a well-rated session"), default=True
    )
    # The directory's full-text search document: headline, skills, name, published offering
    # titles and bio, weighted in that order. PostgreSQL keeps it up to date itself (triggers and
    # a GIN index: sessions/migrations/0008_mentor_search_document.py, docs/design/search.md);
    # on SQLite it stays empty and the directory searches the fields themselves.
    search_document = SearchVectorField(null=True, editable=False)

    class Meta:
        indexes = [
            # The directory's default and "rating" order over approved mentors: the first
            # page is read in index order instead of sorting every approved profile.
            models.Index(
                rating_sort_key().desc(),
                F("rating_count").desc(),
                F("id").asc(),
                name="mentor_directory_rating",
                condition=Q(status=MentorStatus.APPROVED, min_published_price__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return self.user.name

    def get_absolute_url(self) -> str:
        return reverse("mentors:profile", args=[self.slug])

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def notice(self) -> timedelta:
        """How long before a start it can no longer be booked (the minimum notice)."""
        return timedelta(minutes=self.minimum_notice)

    @property
    def action_items_done_percent(self) -> int | None:
        if not self.action_items_total:
            return None
        return round(100 * self.action_items_done / self.action_items_total)


class Suspension(models.Model):
    """A mentor taken off the marketplace by staff, or automatically after repeated no-shows,
    with what it unpublished so that reinstating puts back exactly that."""

    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="suspensions")
    reason = models.TextField()
    automatic = models.BooleanField(default=False, help_text="Started by the no-show strike rule.")
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    end_reason = models.TextField(blank=True)
    # What the suspension unpublished (ids), republished on reinstatement if still the mentor's.
    offering_ids = models.JSONField(default=list, blank=True)
    plan_ids = models.JSONField(default=list, blank=True)
    cohort_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentor"], condition=Q(ended_at__isnull=True), name="one_open_suspension_per_mentor"
            )
        ]

    def __str__(self) -> str:
        return f"Suspension of {self.mentor} from {self.started_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class WeeklyRule(models.Model):
    """A recurring window of availability, in the mentor's local wall-clock time."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="weekly_rules")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_time__lt=models.F("end_time")),
                name="weekly_rule_starts_before_end",
                violation_error_message="The end must be after the start.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class DateOverride(models.Model):
    """One date that differs from the weekly rules: extra hours, or a day off."""

    class Kind(models.TextChoices):
        EXTRA = "extra", _("Extra hours")
        OFF = "off", _("Day off")

    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="date_overrides")
    date = models.DateField()
    kind = models.CharField(max_length=5, choices=Kind.choices)
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)

    class Meta:
        ordering = ["date", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="off")
                | models.Q(
                    start_time__isnull=False,
                    end_time__isnull=False,
                    start_time__lt=models.F("end_time"),
                ),
                name="extra_hours_have_a_window",
                violation_error_message="Extra hours need a start before their end.",
            )
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.OFF:
            return f"{self.date:%Y-%m-%d} day off"
        return f"{self.date:%Y-%m-%d} {self.start_time:%H:%M}–{self.end_time:%H:%M}"
