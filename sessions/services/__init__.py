"""Everything a booking can do, one module per part. Each function is one transaction and raises
BookingError; what a person may do is asked of sessions/policy.py, and what the apps above carry
out (money, credits, reminders) goes through sessions/hooks.py.

    base        BookingError, the booking's row lock, its transitions, the money that follows them
    booking     reserving a slot, the payment that confirms it, holds that run out
    changes     cancelling (mentee, mentor, staff), rescheduling, editing the pre-work
    closing     after the session: closing, the action item, reviews, no-shows, staff review
    offerings   the mentor's offerings
    approval    opening a request to book (an offering that needs the mentor's approval)
    requests    deciding it: accept, decline, withdraw, lapse, remind
    series      weekly recurring 1:1s: the preview, booking them all at once, cancelling onwards

The names other apps call are importable from here (`from sessions import services`).
"""

from ..policy import mentee_cancel_refunds
from .base import SLOT_TAKEN, BookingError
from .booking import (
    BookingRequest,
    booking_confirm_payment,
    booking_create,
    booking_extend_hold,
    booking_release_expired_holds,
    booking_release_hold,
    intro_used,
    member_price,
)
from .changes import booking_cancel, booking_cancel_by_staff, booking_reschedule, booking_update_prework
from .closing import (
    action_item_mark_done,
    booking_close,
    booking_report_no_show,
    booking_settle_no_show,
    bookings_flag_for_review,
    refresh_mentor_stats,
    review_create,
    review_reply,
    review_set_hidden,
)
from .offerings import offering_save, offering_set_published
from .requests import (
    booking_request_accept,
    booking_request_authorised,
    booking_request_decline,
    booking_request_lapse,
    booking_request_withdraw,
    booking_requests_lapse_due,
    booking_requests_remind,
)
from .series import (
    series_cancel_from,
    series_confirmed,
    series_create,
    series_of,
    series_preview,
    series_release_holds,
)

__all__ = [
    "SLOT_TAKEN",
    "BookingError",
    "BookingRequest",
    "action_item_mark_done",
    "booking_cancel",
    "booking_cancel_by_staff",
    "booking_close",
    "booking_confirm_payment",
    "booking_create",
    "booking_extend_hold",
    "booking_release_expired_holds",
    "booking_release_hold",
    "booking_report_no_show",
    "booking_request_accept",
    "booking_request_authorised",
    "booking_request_decline",
    "booking_request_lapse",
    "booking_request_withdraw",
    "booking_requests_lapse_due",
    "booking_requests_remind",
    "booking_reschedule",
    "booking_settle_no_show",
    "booking_update_prework",
    "bookings_flag_for_review",
    "intro_used",
    "member_price",
    "mentee_cancel_refunds",
    "offering_save",
    "offering_set_published",
    "refresh_mentor_stats",
    "review_create",
    "review_reply",
    "review_set_hidden",
    "series_cancel_from",
    "series_confirmed",
    "series_create",
    "series_of",
    "series_preview",
    "series_release_holds",
]
