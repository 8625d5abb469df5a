from django.db import models


class Notification(models.Model):
    """One e-mail in the outbox: due at a moment relative to its booking, sent at most once."""

    class Kind(models.TextChoices):
        PREWORK_REMINDER_48H = "prework_reminder_48h", "Pre-work reminder, 48 h before"
        PREWORK_REMINDER_24H = "prework_reminder_24h", "Pre-work reminder, 24 h before"
        MENTOR_PREP_DIGEST = "mentor_prep_digest", "Mentor's prep digest, 2 h before"
        STARTING_SOON_MENTEE = "starting_soon_mentee", "Starting soon (mentee), 15 min before"
        STARTING_SOON_MENTOR = "starting_soon_mentor", "Starting soon (mentor), 15 min before"
        CLOSEOUT_NUDGE_2H = "closeout_nudge_2h", "Close-out nudge, 2 h after"
        CLOSEOUT_NUDGE_24H = "closeout_nudge_24h", "Close-out nudge, 24 h after"
        CLOSEOUT_STAFF_48H = "closeout_staff_48h", "Not closed: staff alert, 48 h after"
        ACTION_ITEM_CHECKIN = "action_item_checkin", "Action-item check-in, 09:00 on the due date"

    class Answer(models.TextChoices):
        DONE = "done", "Done"
        NOT_YET = "not_yet", "Not yet"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled"
        DEAD = "dead", "Gave up"

    booking = models.ForeignKey("mentoring.Booking", on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    due_at = models.DateTimeField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # What the recipient answered through the e-mail's links (action-item check-ins only).
    answer = models.CharField(max_length=16, choices=Answer.choices, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "kind", "due_at"], name="notification_once_per_moment"
            ),
        ]
        indexes = [models.Index(fields=["state", "due_at"], name="notification_state_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.due_at:%Y-%m-%d %H:%M} UTC"
