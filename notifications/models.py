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
        COHORT_EVENT_24H = "cohort_event_24h", "Cohort event, 24 h before"
        COHORT_EVENT_1H = "cohort_event_1h", "Cohort event, 1 h before"
        ASSIGNMENT_DUE_24H = "assignment_due_24h", "Assignment due in 24 h"
        PEER_REVIEWS_WAITING = "peer_reviews_waiting", "Peer reviews waiting"
        SEAT_OFFERED = "seat_offered", "Waitlist: a seat is offered (24 h to claim)"
        LADDER_UP_OFFER = "ladder_up_offer", "Ladder up: the mentor's cohort or plan, with an upgrade credit"

    class Answer(models.TextChoices):
        DONE = "done", "Done"
        NOT_YET = "not_yet", "Not yet"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled"
        DEAD = "dead", "Gave up"

    # A row is about a booking, or about a cohort member (then about one event or one module).
    booking = models.ForeignKey(
        "mentoring.Booking", on_delete=models.CASCADE, related_name="notifications", null=True, blank=True
    )
    enrollment = models.ForeignKey(
        "cohorts.Enrollment", on_delete=models.CASCADE, related_name="notifications", null=True, blank=True
    )
    cohort_event = models.ForeignKey(
        "cohorts.CohortEvent", on_delete=models.CASCADE, related_name="notifications", null=True, blank=True
    )
    module = models.ForeignKey(
        "cohorts.Module", on_delete=models.CASCADE, related_name="notifications", null=True, blank=True
    )
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
            models.UniqueConstraint(
                fields=["enrollment", "kind", "cohort_event", "due_at"],
                condition=models.Q(cohort_event__isnull=False),
                name="notification_once_per_event_moment",
            ),
            models.UniqueConstraint(
                fields=["enrollment", "kind", "module", "due_at"],
                condition=models.Q(module__isnull=False),
                name="notification_once_per_module_moment",
            ),
            models.UniqueConstraint(
                fields=["enrollment", "kind", "due_at"],
                condition=models.Q(enrollment__isnull=False, cohort_event__isnull=True, module__isnull=True),
                name="notification_once_per_member_moment",
            ),
            models.CheckConstraint(
                condition=models.Q(booking__isnull=False, enrollment__isnull=True)
                | models.Q(booking__isnull=True, enrollment__isnull=False),
                name="notification_for_booking_or_member",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "due_at"], name="notification_state_due"),
            models.Index(fields=["due_at"], name="notification_due"),  # the admin's order and dates
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.due_at:%Y-%m-%d %H:%M} UTC"
