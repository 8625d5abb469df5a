"""Everything a cohort can do, one module per part. Each function is one transaction and raises
CohortError.

    base        CohortError, who may act, the cohort's row lock and the seats counted under it
    programme   the facilitator's cohort, modules, events, attendance, messages, finishing, and
                the calendar feed
    seats       seats and the waitlist: enrolling, holds, payment, leaving, cancelling, the sweep
    critique    submissions, reviewers assigned round-robin, critique rounds, peer reviews

What a cohort changes in a member's reminders goes to the apps above through cohorts/hooks.py.
The names other apps call are importable from here (`from cohorts import services`).
"""

from .base import CohortError, seats_taken
from .critique import (
    REVIEWERS_PER_SUBMISSION,
    assign_reviewers,
    critique_round_open,
    peer_review_submit,
    submission_save,
)
from .programme import (
    COHORT_FIELDS,
    MAX_SERIES_WEEKS,
    EventPlan,
    attendance_mark,
    calendar_feed_regenerate,
    cohort_finish,
    cohort_message_send,
    cohort_publish,
    cohort_save,
    enrollment_mark_completed,
    enrollment_set_notes,
    event_cancel,
    event_series_create,
    event_update,
    module_delete,
    module_save,
    weekly_starts,
)
from .seats import (
    OFFER_CLAIM_WINDOW,
    cohort_cancel,
    cohort_enroll,
    cohorts_sweep,
    enrollment_cancel_refunded,
    enrollment_claim_offer,
    enrollment_confirm_payment,
    enrollment_extend_hold,
    enrollment_leave,
    enrollment_release_hold,
    leave_refunds,
)

__all__ = [
    "COHORT_FIELDS",
    "MAX_SERIES_WEEKS",
    "OFFER_CLAIM_WINDOW",
    "REVIEWERS_PER_SUBMISSION",
    "CohortError",
    "EventPlan",
    "assign_reviewers",
    "attendance_mark",
    "calendar_feed_regenerate",
    "cohort_cancel",
    "cohort_enroll",
    "cohort_finish",
    "cohort_message_send",
    "cohort_publish",
    "cohort_save",
    "cohorts_sweep",
    "critique_round_open",
    "enrollment_cancel_refunded",
    "enrollment_claim_offer",
    "enrollment_confirm_payment",
    "enrollment_extend_hold",
    "enrollment_leave",
    "enrollment_mark_completed",
    "enrollment_release_hold",
    "enrollment_set_notes",
    "event_cancel",
    "event_series_create",
    "event_update",
    "leave_refunds",
    "module_delete",
    "module_save",
    "peer_review_submit",
    "seats_taken",
    "submission_save",
    "weekly_starts",
]
