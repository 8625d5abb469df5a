"""No-show disputes: the person reported absent may contest once within 48 h; staff decide what
happened (session happened, mentee absent, mentor absent) and the money, the strike, the audit
log and both sides' inboxes follow."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from billing import services as billing_services
from billing.models import ConnectedAccount, Refund, Transfer
from moderation.models import AuditEntry, NoShowDispute, Strike
from moderation.services import ModerationError, noshow_contest, noshow_decide
from sessions import services as booking_services
from sessions.models import Booking
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Outcome = NoShowDispute.Outcome
BookingState = Booking.State


@pytest.fixture
def booking(paid_booking):
    """The $45 paid booking, with a mentor whose payouts are enabled."""
    ConnectedAccount.objects.create(
        mentor=paid_booking.mentor,
        stripe_account_id="acct_1Mentor",
        charges_enabled=True,
        payouts_enabled=True,
        details_submitted=True,
    )
    return paid_booking


def report(booking, by, capture):
    """`by` reports the other side absent 15 minutes after the start (time frozen there)."""
    with time_machine.travel(booking.starts_at + timedelta(minutes=15), tick=False):
        with capture(execute=True):
            booking_services.booking_report_no_show(booking=booking, by=by)
    booking.refresh_from_db()
    return booking


def decide(booking, by, outcome, capture, reason="Checked the video room logs"):
    with time_machine.travel(booking.starts_at + timedelta(hours=20), tick=False):
        with capture(execute=True):
            noshow_decide(booking=booking, by=by, outcome=outcome, reason=reason)
    booking.refresh_from_db()
    return booking


def contest_url(booking) -> str:
    return reverse("sessions:contest_no_show", args=[booking.pk])


def test_the_mentor_contests_a_no_show_from_the_booking_page_and_both_sides_see_it(
    booking, client, django_capture_on_commit_callbacks
):
    report(booking, booking.mentee, django_capture_on_commit_callbacks)
    client.force_login(booking.mentor.user)
    page = client.get(booking.get_absolute_url()).content.decode()
    assert "Contest the report" in page
    mail.outbox.clear()
    with time_machine.travel(booking.starts_at + timedelta(hours=2)):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(contest_url(booking), {"note": "I was there and waited 30 minutes"})
    assert response.status_code == 302
    told = {m.to[0]: m for m in mail.outbox}
    assert set(told) == {booking.mentee.email, "staff@example.com"}
    assert "I was there and waited 30 minutes" in told[booking.mentee.email].body
    assert told["staff@example.com"].subject.startswith("[staff] No-show contested")
    dispute = NoShowDispute.objects.get()
    assert (dispute.reported_state, dispute.contested_by, dispute.is_open) == (
        BookingState.NO_SHOW_MENTOR,
        booking.mentor.user,
        True,
    )
    booking.refresh_from_db()
    assert booking.state == BookingState.NO_SHOW_MENTOR  # the refund stands until staff decide
    client.force_login(booking.mentee)
    page = client.get(booking.get_absolute_url()).content.decode()
    assert "Contested" in page and "I was there and waited 30 minutes" in page
    assert "Contest the report" not in page


def test_contest_refusals_say_why_and_change_nothing(booking, client, django_capture_on_commit_callbacks):
    report(booking, booking.mentee, django_capture_on_commit_callbacks)
    client.force_login(UserFactory())
    assert client.post(contest_url(booking), {"note": "Me"}).status_code == 404

    client.force_login(booking.mentee)  # the reporter, not the one reported absent
    with time_machine.travel(booking.starts_at + timedelta(hours=1)):
        response = client.post(contest_url(booking), {"note": "I want to contest"})
    assert response.status_code == 400
    assert "Only the person reported absent can contest" in response.content.decode()

    client.force_login(booking.mentor.user)
    with time_machine.travel(booking.starts_at + timedelta(hours=1)):
        response = client.post(contest_url(booking), {"note": "   "})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    with time_machine.travel(booking.starts_at + timedelta(hours=49)):
        response = client.post(contest_url(booking), {"note": "I was there"})
    assert response.status_code == 400
    assert "within 48 hours" in response.content.decode()
    assert not NoShowDispute.objects.exists()

    with time_machine.travel(booking.starts_at + timedelta(hours=1)):
        noshow_contest(booking=booking, by=booking.mentor.user, note="I was there")
        with pytest.raises(ModerationError, match="already been contested"):
            noshow_contest(booking=booking, by=booking.mentor.user, note="Really")
    assert NoShowDispute.objects.count() == 1


def test_a_confirmed_session_cannot_be_contested(booking, client):
    client.force_login(booking.mentor.user)
    response = client.post(contest_url(booking), {"note": "Nothing happened"}, follow=True)
    assert "Only a reported no-show can be contested." in response.content.decode()
    assert not NoShowDispute.objects.exists()


def test_overturning_a_mentor_no_show_voids_the_strike_and_the_refund_stands(
    booking, admin_user, stripe_http, django_capture_on_commit_callbacks
):
    report(booking, booking.mentee, django_capture_on_commit_callbacks)
    assert Strike.objects.get().status == Strike.Status.PENDING
    with time_machine.travel(booking.starts_at + timedelta(hours=1)):
        noshow_contest(booking=booking, by=booking.mentor.user, note="I was there")
    mail.outbox.clear()
    decide(booking, admin_user, Outcome.HAPPENED, django_capture_on_commit_callbacks)

    assert booking.state == BookingState.COMPLETED
    assert Strike.objects.get().status == Strike.Status.VOIDED
    assert Refund.objects.get().amount == 4500  # the mentee's refund stands
    assert not Transfer.objects.exists() and stripe_http.count("post", "/v1/transfers") == 0
    # Nothing is left to pay out, so the payout sweep does not keep coming back to it.
    with time_machine.travel(booking.starts_at + timedelta(days=1)):
        assert billing_services.retry_stuck_money_movements(older_than=timedelta(0)) == 0
    dispute = NoShowDispute.objects.get()
    assert (dispute.status, dispute.decision, dispute.decided_by) == ("decided", "happened", admin_user)
    assert "$38.25" in dispute.money_note and "was not paid" in dispute.money_note
    entry = AuditEntry.objects.get(action="noshow.happened")
    assert entry.actor == admin_user and "Checked the video room logs" in entry.reason
    assert {m.to[0] for m in mail.outbox} == {booking.mentee.email, booking.mentor.user.email}
    assert all("session happened" in m.subject for m in mail.outbox)


def test_overturning_a_mentee_no_show_refunds_the_mentee_and_claws_back_the_payout(
    booking, admin_user, stripe_http, django_capture_on_commit_callbacks
):
    report(booking, booking.mentor.user, django_capture_on_commit_callbacks)
    assert Transfer.objects.get().state == Transfer.State.PAID  # the mentor was paid at once
    with time_machine.travel(booking.starts_at + timedelta(hours=1)):
        noshow_contest(booking=booking, by=booking.mentee, note="The mentor never opened the room")
    mail.outbox.clear()
    decide(booking, admin_user, Outcome.MENTOR_ABSENT, django_capture_on_commit_callbacks)

    assert booking.state == BookingState.NO_SHOW_MENTOR
    assert Refund.objects.get().amount == 4500
    reversal = stripe_http.only("post", "/v1/transfers/tr_1Test123/reversals")
    assert reversal.params["amount"] == "3825"
    strike = Strike.objects.get()
    assert (strike.status, strike.mentor) == (Strike.Status.UPHELD, booking.mentor)
    assert AuditEntry.objects.filter(action="noshow.mentor_absent").exists()
    decisions = [m for m in mail.outbox if "mentor was absent" in m.subject]
    assert {m.to[0] for m in decisions} == {booking.mentee.email, booking.mentor.user.email}


def test_upholding_a_contested_mentee_no_show_keeps_the_payout(
    booking, admin_user, stripe_http, django_capture_on_commit_callbacks
):
    report(booking, booking.mentor.user, django_capture_on_commit_callbacks)
    with time_machine.travel(booking.starts_at + timedelta(hours=1)):
        noshow_contest(booking=booking, by=booking.mentee, note="I was there")
    decide(booking, admin_user, Outcome.MENTEE_ABSENT, django_capture_on_commit_callbacks)
    assert booking.state == BookingState.NO_SHOW_MENTEE
    assert stripe_http.count("post", "/v1/transfers") == 1 and not Refund.objects.exists()
    assert not Strike.objects.exists()
    with pytest.raises(ModerationError, match="decided already"):
        decide(booking, admin_user, Outcome.MENTOR_ABSENT, django_capture_on_commit_callbacks)


def flag(booking):
    with time_machine.travel(booking.ends_at + timedelta(hours=25), tick=False):
        booking_services.bookings_flag_for_review()
    booking.refresh_from_db()
    assert booking.review_flagged_at is not None


@pytest.mark.parametrize(
    ("outcome", "state", "paid"),
    [
        (Outcome.HAPPENED, BookingState.COMPLETED, True),
        (Outcome.MENTEE_ABSENT, BookingState.NO_SHOW_MENTEE, True),
        (Outcome.MENTOR_ABSENT, BookingState.NO_SHOW_MENTOR, False),
    ],
)
def test_staff_decide_a_flagged_session(
    booking, admin_user, stripe_http, django_capture_on_commit_callbacks, outcome, state, paid
):
    flag(booking)
    with time_machine.travel(booking.ends_at + timedelta(hours=26), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            noshow_decide(booking=booking, by=admin_user, outcome=outcome, reason="Both wrote to support")
    booking.refresh_from_db()
    assert booking.state == state
    assert Transfer.objects.filter(state=Transfer.State.PAID).exists() is paid
    assert Refund.objects.filter(amount=4500).exists() is not paid
    assert Strike.objects.filter(status=Strike.Status.UPHELD).exists() is not paid
    assert AuditEntry.objects.filter(action=f"noshow.{outcome}").exists()


def test_decision_refusals(booking, admin_user, django_capture_on_commit_callbacks):
    with pytest.raises(ModerationError, match="reason"):
        noshow_decide(booking=booking, by=admin_user, outcome=Outcome.HAPPENED, reason=" ")
    with pytest.raises(ModerationError, match="not flagged"):
        noshow_decide(booking=booking, by=admin_user, outcome=Outcome.HAPPENED, reason="Why not")
    report(booking, booking.mentee, django_capture_on_commit_callbacks)
    with pytest.raises(ModerationError, match="not contested"):
        decide(booking, admin_user, Outcome.HAPPENED, django_capture_on_commit_callbacks)
    assert booking.state == BookingState.NO_SHOW_MENTOR
    assert not AuditEntry.objects.exists()


def test_staff_decide_from_the_booking_admin_and_the_dispute_admin(
    booking, admin_client, admin_user, django_capture_on_commit_callbacks, settings
):
    settings.STAFF_IDLE_TIMEOUT_SECONDS = 365 * 24 * 3600  # the clock jumps days ahead; the session stays
    flag(booking)
    changelist = reverse("admin:mentoring_booking_changelist")
    assert booking.offering.title in admin_client.get(changelist + "?review=needed").content.decode()
    with time_machine.travel(booking.ends_at + timedelta(hours=26)):
        response = admin_client.post(
            changelist,
            {"action": "decide_happened", "_selected_action": [booking.pk], "note": ""},
            follow=True,
        )
        assert "Give a reason; it is kept in the audit log." in response.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                changelist,
                {"action": "decide_happened", "_selected_action": [booking.pk], "note": "Mentor sent notes"},
                follow=True,
            )
    assert "Decided 1 session(s): session happened." in response.content.decode()
    booking.refresh_from_db()
    assert booking.state == BookingState.COMPLETED


def test_the_dispute_admin_decides_and_shows_the_money_note(
    booking, admin_client, django_capture_on_commit_callbacks
):
    report(booking, booking.mentee, django_capture_on_commit_callbacks)
    with time_machine.travel(booking.starts_at + timedelta(hours=1)):
        dispute = noshow_contest(booking=booking, by=booking.mentor.user, note="I was there")
    changelist = reverse("admin:moderation_noshowdispute_changelist")
    with time_machine.travel(booking.starts_at + timedelta(hours=3)):
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                changelist,
                {"action": "decide_mentee_absent", "_selected_action": [dispute.pk], "note": "Logs show it"},
                follow=True,
            )
    page = response.content.decode()
    assert "Decided 1 session(s): mentee was absent." in page
    assert "was not paid" in page  # the money note, in the list
    booking.refresh_from_db()
    assert booking.state == BookingState.NO_SHOW_MENTEE
