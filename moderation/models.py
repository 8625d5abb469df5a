"""User reports of reviews, messages, profiles and offerings, and the audit log of moderation."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MAX_NOTE_LENGTH = 1000


class ReportStatus(models.TextChoices):
    """Report.Status, defined out here so that the model's Meta can name the states."""

    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class Report(models.Model):
    """One user's report of one thing they saw; staff uphold or dismiss it from the admin."""

    class Kind(models.TextChoices):
        """What may be reported, as it appears in the report URL."""

        REVIEW = "review", _("Review")
        MESSAGE = "message", _("Message")
        PROFILE = "profile", _("Mentor profile")
        OFFERING = "offering", _("Offering")

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam")
        ABUSE = "abuse", _("Abuse or harassment")
        INAPPROPRIATE = "inappropriate", _("Inappropriate content")
        MISLEADING = "misleading", _("Misleading or false")
        OTHER = "other", _("Something else")

    Status = ReportStatus

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    target_repr = models.CharField("reported", max_length=200, blank=True)
    reason = models.CharField(max_length=15, choices=Reason.choices)
    note = models.TextField(max_length=MAX_NOTE_LENGTH, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(max_length=MAX_NOTE_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["reporter", "created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "content_type", "object_id"],
                condition=Q(status=ReportStatus.OPEN),
                name="one_open_report_per_reporter_and_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} report #{self.pk} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class AuditEntry(models.Model):
    """One moderation action: who did what to which object, when and why. Written once by a
    service, never edited."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=40, db_index=True)
    target_content_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["target_content_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.action} · {self.target_repr}"


class NoShowDispute(models.Model):
    """The person reported absent says they were there; staff decide what happened."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DECIDED = "decided", _("Decided")

    class Outcome(models.TextChoices):
        HAPPENED = "happened", _("Session happened")
        MENTEE_ABSENT = "mentee_absent", _("Mentee was absent")
        MENTOR_ABSENT = "mentor_absent", _("Mentor was absent")

    booking = models.OneToOneField(
        "mentoring.Booking", on_delete=models.CASCADE, related_name="noshow_dispute"
    )
    reported_state = models.CharField(max_length=24, help_text="The booking's state when it was contested.")
    contested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField(max_length=MAX_NOTE_LENGTH)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decision = models.CharField(max_length=15, choices=Outcome.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(max_length=MAX_NOTE_LENGTH, blank=True)
    money_note = models.CharField(
        max_length=300, blank=True, help_text="What the decision did not move automatically."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "no-show dispute"

    def __str__(self) -> str:
        return f"No-show dispute #{self.pk} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Strike(models.Model):
    """A mentor no-show that stands. Pending while the mentor may still contest it; three upheld
    strikes for sessions in 90 days suspend the mentor pending review."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending (may be contested)")
        UPHELD = "upheld", _("Upheld")
        VOIDED = "voided", _("Voided")

    mentor = models.ForeignKey("mentors.MentorProfile", on_delete=models.CASCADE, related_name="strikes")
    booking = models.OneToOneField("mentoring.Booking", on_delete=models.CASCADE, related_name="strike")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"Strike #{self.pk} on {self.mentor} ({self.get_status_display()})"
