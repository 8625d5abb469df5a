"""Where `cohorts` asks the apps above it to act, and what it passes (core/hooks.py).

A member's reminders (their cohort's events and assignments, a seat offered from the waitlist,
peer reviews waiting) are rows `notifications` keeps and sends. Cohorts says what changed, from
inside its own transaction, and the receivers plan or drop those rows in the same transaction.

    hook                    passes                  registered by
    calendar_changed        enrollments             notifications
    member_joined           enrollment              notifications
    enrollment_ended        enrollment, reason      notifications
    seat_offered            enrollment, now         notifications
    peer_reviews_assigned   enrollment, module      notifications
    facilitator_calendar_changed  cohort            calendars
"""

from core.hooks import Hook

calendar_changed = Hook("calendar_changed", "enrollments")
"""The cohort's events or modules changed: the members' reminders follow its calendar.
`enrollments` is the cohort's members (a queryset of active enrolments)."""

facilitator_calendar_changed = Hook("facilitator_calendar_changed", "cohort")
"""The cohort's live events were added, moved or cancelled, or the cohort was: the facilitator's
own calendar follows (after the commit)."""

member_joined = Hook("member_joined", "enrollment")
"""A seat became a membership (free, paid, or claimed from the waitlist): plan its reminders."""

enrollment_ended = Hook("enrollment_ended", "enrollment, reason")
"""A place stopped waiting for the cohort's times (left, cancelled, its seat refunded, or the
cohort finished). `reason` is a short note ("left the cohort", "cohort cancelled", "seat refunded",
"cohort finished"): what waits for it will not happen (unsent reminders)."""

seat_offered = Hook("seat_offered", "enrollment, now")
"""A freed seat was offered to the next person on the waitlist at `now`: tell them, once."""

peer_reviews_assigned = Hook("peer_reviews_assigned", "enrollment, module")
"""The critique round of `module` opened and this member has peer reviews to write: tell them."""
