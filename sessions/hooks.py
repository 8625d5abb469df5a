"""Where `sessions` asks the apps above it to act, and what it passes (core/hooks.py).

Sessions decides (who may book, cancel, close; whether money goes back or to the mentor); the
apps above carry it out and register here from their AppConfig.ready(). A receiver called from a
service runs inside the booking's transaction: one that reaches outside (a task, an e-mail) waits
for the commit. The page hooks are called by sessions/views.py while it renders.

    hook                    passes                        answers             registered by
    booking_scheduled       booking, new                  -                   notifications, calendars
    booking_ended           booking, reason               -                   notifications
    booking_confirmed       booking                       -                   webhooks
    booking_rescheduled     booking, previous_starts_at   -                   webhooks
    booking_cancelled       booking, was_confirmed        -                   webhooks
    booking_completed       booking                       -                   webhooks
    session_closed          action_item, now              -                   notifications
    bookings_flagged        booking_ids                   -                   notifications
    review_posted           review                        -                   billing
    mentor_reported_absent  booking                       -                   moderation
    refund_booking          booking_id, reason            -                   billing
    pay_out_booking         booking_id                    -                   billing
    close_checkout          booking_id                    -                   billing
    capture_payment         booking_id                    -                   billing
    release_authorisation   booking_id                    -                   billing
    spend_credit            booking, source               the credit          subscriptions, packs
    return_credit           booking                       the credit or None  subscriptions, packs
    discount_percent        offering, mentee              0-100               cohorts
    apply_code              booking, code                 the price           billing
    quote_code              offering, mentee, code, price a Quote             billing
    booking_email_context   booking                       a dict              billing
    paid_offering_allowed   mentor                        bool                billing
    busy_elsewhere          mentor_ids, start, end        rows                cohorts, groups, calendars
    payment_redirect        request, booking              a response          billing
    offering_page_context   offering, viewer              a dict              subscriptions
    booking_page_context    booking, viewer, now, forms   a dict              billing, moderation,
                                                                              notifications, subscriptions,
                                                                              sessions (requests)
"""

from core.hooks import Hook

# --- what happened to a booking ---------------------------------------------------------------

booking_scheduled = Hook("booking_scheduled", "booking, new")
"""A booking was confirmed (booked free or with a credit, paid, or paid late), or a confirmed one
moved to new times: plan what hangs on its times (the reminders). `new` is true when the booking
was created in this same transaction (nothing hangs on it yet: no rows to look up)."""

booking_ended = Hook("booking_ended", "booking, reason")
"""A booking left its confirmed (or held) state: cancelled, closed, reported absent, or settled by
staff. `reason` is a short note ("booking cancelled", "session closed", "no-show reported",
"settled by staff"): what waits for its times will not happen (unsent reminders)."""

booking_confirmed = Hook("booking_confirmed", "booking")
"""A booking became confirmed: booked free or with a credit, paid (or paid late), or a request to
book accepted. Never called for a hold waiting for its payment; each occurrence of a weekly
series is a booking of its own and is confirmed on its own (with `booking.series_id`)."""

booking_rescheduled = Hook("booking_rescheduled", "booking, previous_starts_at")
"""A confirmed booking moved to new times (booking_scheduled is called as well)."""

booking_cancelled = Hook("booking_cancelled", "booking, was_confirmed")
"""A booking was cancelled by its mentee, its mentor, or staff on the mentor's side (its state says
which). `was_confirmed` is false for a hold or a request that was never confirmed."""

booking_completed = Hook("booking_completed", "booking")
"""The session happened: closed by the mentor with its action item, or settled so by staff."""

session_closed = Hook("session_closed", "action_item, now")
"""The mentor closed the session with its one action item (the mentee's check-in e-mail)."""

bookings_flagged = Hook("bookings_flagged", "booking_ids")
"""Sessions nobody closed or reported 24 h after their end were flagged for staff review (a list
of booking ids as strings): staff are told, once per batch."""

review_posted = Hook("review_posted", "review")
"""The mentee reviewed the session (the booking is locked): an upgrade offer may follow."""

mentor_reported_absent = Hook("mentor_reported_absent", "booking")
"""The mentee reported the mentor absent: a strike, pending while the mentor may contest."""

# --- money: sessions decides, billing moves it ------------------------------------------------
# Called only for bookings that cost something; the receiver queues its work for after the commit.

refund_booking = Hook("refund_booking", "booking_id, reason")
"""Refund the booking's payment in full; `reason` is what the mentee is told."""

pay_out_booking = Hook("pay_out_booking", "booking_id")
"""The mentor earned the fee (closed, mentee absent, cancelled late by the mentee): pay them."""

close_checkout = Hook("close_checkout", "booking_id")
"""A held booking stopped waiting for its payment here (the hold ran out, or it was cancelled):
close its checkout; a payment that still slips through is refunded. Not called when the checkout
itself ended: billing then releases the hold (services.booking_release_hold)."""

capture_payment = Hook("capture_payment", "booking_id")
"""A request to book was accepted: capture its authorised card (sessions/services/requests.py)."""

release_authorisation = Hook("release_authorisation", "booking_id")
"""A request to book was declined, lapsed or withdrawn: release its card's authorisation (or
refund it, if it was captured meanwhile)."""

# --- paying with a credit: a subscription's, or a session of a pack ----------------------------

CREDIT_SUBSCRIPTION = "subscription"  # a subscription credit with the booking's mentor
CREDIT_PACK = "pack"  # a session of a pack bought for the booking's offering

spend_credit = Hook("spend_credit", "booking, source")
"""Pay for this booking with one of the mentee's credits of `source` (CREDIT_SUBSCRIPTION or
CREDIT_PACK); a receiver answers None for a source not its own. Answers the credit, or raises a
core.errors.DomainError saying why not (shown beside "pay with a credit"). Without an answer the
booking is refused: it must never confirm unpaid."""

return_credit = Hook("return_credit", "booking")
"""The booking was paid with a credit and the credit comes back (cancelled in time, or on the
mentor's side): answers the credit returned, None when no credit paid for it. The answer's
`credit_name` ("pack session"), if it has one, names it in the booking's trail."""

# --- promotion codes --------------------------------------------------------------------------

apply_code = Hook("apply_code", "booking, code")
"""The mentee entered a promotion code on this held booking (just created, at its price before
the code): hold a use of it. Answers the price to charge, or raises a core.errors.DomainError
saying why the code cannot be used (shown next to the code field). Without an answer the booking
is refused: a code must never be silently ignored."""

quote_code = Hook("quote_code", "offering, mentee, code, price")
"""What this code would take off `price` for this mentee, before booking: answers an object with
`amount` (the price after it) and `message`, or raises a DomainError saying why not."""

# --- questions --------------------------------------------------------------------------------

discount_percent = Hook("discount_percent", "offering, mentee")
"""A discount on this offering for this mentee, in percent (a cohort's member price); the
largest answer counts, none means the full price. `mentee` may be signed out."""

paid_offering_allowed = Hook("paid_offering_allowed", "mentor")
"""May this mentor publish an offering that costs something (can they be paid)? Every answer
must be yes; none means yes."""

busy_elsewhere = Hook("busy_elsewhere", "mentor_ids, start, end")
"""Time the mentors are busy outside their 1:1 sessions, overlapping [start, end) (a cohort's
live events). Answers a queryset of `values_list(mentor id, *core.db.epoch_span("starts_at",
"ends_at"))` (whole epoch seconds, as the slot engine reads them), read in the same query as the
bookings (a UNION): it blocks the time but not the daily cap of sessions."""

# --- pages ------------------------------------------------------------------------------------

payment_redirect = Hook("payment_redirect", "request, booking")
"""A paid booking was just held: the response that takes its mentee to pay (a checkout)."""

offering_page_context = Hook("offering_page_context", "offering, viewer")
"""What the offering page shows this viewer from other apps: a dict merged into its context
(`credit_subscription`, `credits_left`: a subscription whose credit can pay for it)."""

booking_email_context = Hook("booking_email_context", "booking")
"""What a booking's e-mails show from other apps: a dict merged into their context (`payment`,
`code_redemption`: what was paid and the code that took something off)."""

booking_page_context = Hook("booking_page_context", "booking, viewer, now, forms")
"""What the booking page shows this viewer from other apps: a dict merged into its context.
`booking` comes from selectors.booking_for_viewer (its action item, review and events loaded);
`forms` holds the bound forms being shown again with their errors, by context name. The page
(templates/sessions/booking.html) reads `payment`, `upgrade_offer` (billing), `credit`
(subscriptions), `reminders` (notifications) and the no-show card's names (moderation)."""
