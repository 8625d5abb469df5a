"""Ladder up: a session rated 4 or 5 earns an upgrade credit worth what it cost, offered on the
mentor's open cohort or plan for 14 days, applied at checkout, usable once."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from billing import ladder
from billing.models import Payment, Refund, UpgradeOffer
from billing.selectors import mentor_laddered_up_count
from billing.stripe_client import BillingError
from cohorts import services as cohort_services
from cohorts.models import Enrollment
from cohorts.purchases import seat_start_checkout
from notifications.models import Notification
from notifications.services import notification_send
from notifications.tasks import dispatch_due
from subscriptions.models import Plan, Subscription
from tests.billing.helpers import open_cohort_of, paid_session, rate
from tests.factories import MentorFactory, UserFactory

NEW_YORK = ZoneInfo("America/New_York")
Kind = Notification.Kind
State = Enrollment.State


def plan_of(mentor, **fields) -> Plan:
    values = {"name": "Monthly mentoring", "price_amount": 12000, "currency": "USD", "is_published": True}
    values.update(fields)
    return Plan.objects.create(mentor=mentor, **values)


@pytest.fixture
def mentor(db):
    return MentorFactory()


@pytest.fixture
def cohort(mentor):
    """The mentor's open cohort: 3 seats at $450."""
    return open_cohort_of(mentor)


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    settings.BILLING_PROVIDER = "demo"


@pytest.fixture
def offer(cohort, mentor):
    """A $45 credit, earned by a 5-star session, with the cohort open."""
    booking = paid_session(mentor)
    rate(booking, 5)
    return UpgradeOffer.objects.get(booking=booking)


# --- the offer -----------------------------------------------------------------------------------


@pytest.mark.parametrize("rating", [5, 4])
def test_a_session_rated_4_or_5_offers_the_open_cohort_with_what_it_cost_for_14_days(rating, mentor, cohort):
    booking = paid_session(mentor)
    review = rate(booking, rating)
    offer = UpgradeOffer.objects.get()
    assert (offer.booking, offer.mentee, offer.mentor) == (booking, booking.mentee, mentor)
    assert (offer.amount, offer.currency, offer.cohort, offer.plan) == (4500, "USD", cohort, None)
    assert offer.expires_at == review.created_at + timedelta(days=14)
    assert offer.redeemed_at is None
    [row] = Notification.objects.filter(kind=Kind.LADDER_UP_OFFER)
    assert (row.booking, row.due_at) == (booking, review.created_at)


def test_a_published_plan_is_offered_too_and_a_plan_alone_is_enough(mentor):
    plan = plan_of(mentor)
    plan_of(mentor, name="Hidden", is_published=False)
    rate(paid_session(mentor), 5)
    offer = UpgradeOffer.objects.get()
    assert (offer.cohort, offer.plan) == (None, plan)


def test_the_credit_is_what_the_mentee_kept_after_a_partial_refund(mentor, cohort):
    booking = paid_session(mentor)
    Refund.objects.create(
        payment=booking.payment, key="staff-1", amount=1500, currency="USD", reason="late start"
    )
    rate(booking, 5)
    assert UpgradeOffer.objects.get().amount == 3000


@pytest.mark.parametrize(
    "case",
    ["rated 3", "nudges off", "no open cohort or plan", "free session", "cohort in another currency"],
)
def test_no_offer_and_no_email_when_the_rules_say_no(case, mentor, django_capture_on_commit_callbacks):
    open_cohort_of(mentor, published=False)  # drafts and unpublished plans never count
    plan_of(mentor, is_published=False)
    if case != "no open cohort or plan":
        open_cohort_of(mentor, currency="EUR" if case == "cohort in another currency" else "USD")
    if case == "nudges off":
        mentor.ladder_up_nudges = False
        mentor.save(update_fields=["ladder_up_nudges"])
    rating = 3 if case == "rated 3" else 5
    amount = 0 if case == "free session" else 4500
    with django_capture_on_commit_callbacks(execute=True):
        rate(paid_session(mentor, amount=amount), rating)
    assert not UpgradeOffer.objects.exists()
    assert not Notification.objects.filter(kind=Kind.LADDER_UP_OFFER).exists()
    assert mail.outbox == []


def test_a_full_cohort_or_one_whose_enrolment_closed_is_not_offered(mentor):
    full = open_cohort_of(mentor, seats_max=1, seats_min=1)
    cohort_services.cohort_enroll(cohort=full, member=UserFactory(), accept_norms=True)
    closed = open_cohort_of(mentor)
    closed.enrollment_deadline = timezone.now() - timedelta(minutes=1)
    closed.save(update_fields=["enrollment_deadline"])
    rate(paid_session(mentor), 5)
    assert not UpgradeOffer.objects.exists()


def test_the_offer_email_goes_to_the_mentee_once_with_the_credit_and_links(
    mentor, cohort, django_capture_on_commit_callbacks
):
    plan = plan_of(mentor)
    mentee = UserFactory(timezone="America/New_York")
    booking = paid_session(mentor, mentee)
    with django_capture_on_commit_callbacks(execute=True):
        rate(booking, 5)
    [message] = mail.outbox
    offer = UpgradeOffer.objects.get()
    assert message.to == [mentee.email]
    assert message.subject == f"Keep going with {mentor.user.name}: an upgrade credit for you"
    until = date_format(offer.expires_at.astimezone(NEW_YORK), "j F Y, H:i")
    assert f"$45 off, until {until} (America/New_York)" in message.body
    assert cohort.title in message.body and cohort.get_absolute_url() in message.body
    assert "$450 per seat, $405 with your credit" in message.body
    assert f"Monthly plan: {plan.name}" in message.body
    assert "first month $75 with your credit" in message.body
    html = message.alternatives[0][0]
    assert "<strong>$405</strong>" in html
    # The dispatcher and a duplicate task find it sent: nothing goes out twice.
    row = Notification.objects.get(kind=Kind.LADDER_UP_OFFER)
    assert row.state == Notification.State.SENT
    dispatch_due()
    assert notification_send(notification_id=row.pk) == Notification.State.SENT
    assert len(mail.outbox) == 1


def test_the_email_is_not_sent_once_the_mentor_turned_offers_off(mentor, cohort):
    rate(paid_session(mentor), 5)  # its send is queued after commit, which never comes here
    ladder.mentor_set_ladder_up_nudges(mentor=mentor, on=False)
    row = Notification.objects.get(kind=Kind.LADDER_UP_OFFER)
    assert notification_send(notification_id=row.pk) == Notification.State.CANCELLED
    assert mail.outbox == []


def test_the_mentee_can_turn_these_emails_off_and_still_sees_the_offer(mentor, cohort):
    mentee = UserFactory(email_ladder_up_offers=False)
    rate(paid_session(mentor, mentee), 5)
    row = Notification.objects.get(kind=Kind.LADDER_UP_OFFER)
    assert notification_send(notification_id=row.pk) == Notification.State.CANCELLED
    assert mail.outbox == []
    assert UpgradeOffer.objects.get().is_usable()


def test_the_offer_email_says_how_to_turn_it_off(mentor, cohort, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rate(paid_session(mentor), 5)
    [message] = mail.outbox
    assert "/settings/" in message.body


def test_the_mentee_sees_the_live_offer_on_the_dashboard_and_the_session_page(client, offer, cohort):
    client.force_login(offer.mentee)
    until = date_format(offer.expires_at.astimezone(NEW_YORK), "j M Y, H:i")
    for url in (reverse("dashboard:home"), offer.booking.get_absolute_url()):
        page = client.get(url).content.decode()
        assert "$45 upgrade credit" in page, url
        assert f"until <strong>{until}</strong>" in page
        assert f'href="{cohort.get_absolute_url()}"' in page
        assert "<strong>$405</strong> per seat with your credit" in page
    # Not the mentor's to see, and gone once it has expired.
    client.force_login(offer.mentor.user)
    assert "$45 upgrade credit" not in client.get(offer.booking.get_absolute_url()).content.decode()
    with time_machine.travel(offer.expires_at + timedelta(seconds=1)):
        client.force_login(offer.mentee)
        for url in (reverse("dashboard:home"), offer.booking.get_absolute_url()):
            page = client.get(url)
            assert page.status_code == 200
            assert "$45 upgrade credit" not in page.content.decode()


# --- spending it on a cohort seat ----------------------------------------------------------------


def test_holding_a_seat_takes_the_credit_off_its_price_and_uses_it(demo, client, offer, cohort):
    client.force_login(offer.mentee)
    page = client.get(cohort.get_absolute_url()).content.decode()
    assert "−$45 upgrade credit" in page and "you pay <strong>$405</strong>" in page
    assert "Enroll — $405 with your credit" in page
    response = client.post(reverse("cohorts:enroll", args=[cohort.slug]), {"accept_norms": "on"})
    enrollment = Enrollment.objects.get(member=offer.mentee)
    payment = Payment.objects.get(enrollment=enrollment)
    assert (enrollment.state, enrollment.price_amount, payment.amount) == (State.HELD, 40500, 40500)
    offer.refresh_from_db()
    assert offer.redeemed_at is not None and offer.enrollment == enrollment
    checkout = client.get(response["Location"]).content.decode()
    assert 'id="upgrade-credit">−$45<' in checkout and "Pay $405" in checkout
    assert "applied to your seat" in client.get(cohort.get_absolute_url()).content.decode()


def test_a_seat_taken_before_the_offer_keeps_its_price_and_shows_no_credit(demo, client, mentor, cohort):
    plan_of(mentor)
    booking = paid_session(mentor)
    seat = cohort_services.cohort_enroll(cohort=cohort, member=booking.mentee, accept_norms=True)
    rate(booking, 5)
    offer = UpgradeOffer.objects.get()
    assert (offer.cohort, offer.plan.name) == (None, "Monthly mentoring")  # not a cohort they are in
    client.force_login(booking.mentee)
    page = client.get(cohort.get_absolute_url()).content.decode()
    assert "upgrade credit" not in page and f"Pay {seat.price_display}" in page


def test_a_credit_as_large_as_the_seat_makes_a_member_at_once(mentor):
    cheap = open_cohort_of(mentor, price_amount=3000)
    booking = paid_session(mentor)
    rate(booking, 5)
    enrollment = cohort_services.cohort_enroll(cohort=cheap, member=booking.mentee, accept_norms=True)
    assert (enrollment.state, enrollment.price_amount) == (State.ACTIVE, 0)
    assert not Payment.objects.filter(enrollment=enrollment).exists()
    assert UpgradeOffer.objects.get().enrollment == enrollment


def test_a_credit_used_once_is_refused_the_second_time(offer, cohort, mentor):
    first = cohort_services.cohort_enroll(cohort=cohort, member=offer.mentee, accept_norms=True)
    other = open_cohort_of(mentor)
    second = cohort_services.cohort_enroll(cohort=other, member=offer.mentee, accept_norms=True)
    assert (first.price_amount, second.price_amount) == (40500, 45000)
    with pytest.raises(BillingError, match="This upgrade credit has already been used."):
        ladder.upgrade_offer_redeem(offer=offer, enrollment=second)
    offer.refresh_from_db()
    assert offer.enrollment == first
    # Asking again for the same seat is not a second use.
    assert ladder.upgrade_offer_redeem(offer=offer, enrollment=first).enrollment == first


def test_a_credit_after_its_expiry_is_refused_and_the_seat_costs_the_full_price(offer, cohort):
    mentee = offer.mentee
    with time_machine.travel(offer.expires_at + timedelta(minutes=1)):
        enrollment = cohort_services.cohort_enroll(cohort=cohort, member=mentee, accept_norms=True)
        assert enrollment.price_amount == 45000
        assert ladder.upgrade_offer_available(mentee=mentee, mentor=offer.mentor, currency="USD") is None
        expired_on = date_format(offer.expires_at.astimezone(NEW_YORK), "j M Y")
        with pytest.raises(BillingError, match=f"This upgrade credit expired on {expired_on}."):
            ladder.upgrade_offer_redeem(offer=offer, enrollment=enrollment)
        with pytest.raises(BillingError, match="expired"):
            ladder.upgrade_offer_coupon_id(offer=offer)
    offer.refresh_from_db()
    assert offer.redeemed_at is None


def test_an_abandoned_seat_checkout_gives_the_credit_back_and_it_is_usable_again(
    demo, client, offer, cohort, django_capture_on_commit_callbacks
):
    client.force_login(offer.mentee)
    response = client.post(reverse("cohorts:enroll", args=[cohort.slug]), {"accept_norms": "on"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(response["Location"], {"action": "abandon"})
        client.get(response["Location"])
    offer.refresh_from_db()
    assert offer.redeemed_at is None
    page = client.get(cohort.get_absolute_url()).content.decode()
    assert "you pay <strong>$405</strong>" in page
    client.post(reverse("cohorts:enroll", args=[cohort.slug]), {"accept_norms": "on"})
    again = Enrollment.objects.get(member=offer.mentee, state=State.HELD)
    offer.refresh_from_db()
    assert again.price_amount == 40500 and offer.enrollment == again and offer.redeemed_at


def test_a_lapsed_hold_gives_the_credit_back_and_a_late_payment_spends_it_again(offer, cohort):
    enrollment = cohort_services.cohort_enroll(cohort=cohort, member=offer.mentee, accept_norms=True)
    with time_machine.travel(enrollment.hold_expires_at + timedelta(minutes=1)):
        cohort_services.cohorts_sweep()
        offer.refresh_from_db()
        assert offer.redeemed_at is None
        # The mentee paid $405 just before the hold ran out; the seat is still free.
        cohort_services.enrollment_confirm_payment(enrollment=enrollment, notify=False)
    offer.refresh_from_db()
    enrollment.refresh_from_db()
    assert enrollment.state == State.ACTIVE
    assert offer.redeemed_at is not None and offer.enrollment == enrollment


def test_a_cancelled_cohort_gives_the_credit_back(offer, cohort, mentor):
    cohort_services.cohort_enroll(cohort=cohort, member=offer.mentee, accept_norms=True)
    cohort_services.cohort_cancel(cohort=cohort, by=mentor.user, reason="Not enough members")
    assert ladder.upgrade_offer_available(mentee=offer.mentee, mentor=mentor, currency="USD") == offer


# --- Stripe ----------------------------------------------------------------------------------------


def test_the_stripe_coupon_is_created_once_for_the_credit(stripe_http, offer):
    stripe_http.answer("post", "/v1/coupons", "response_coupon.json")
    assert ladder.upgrade_offer_coupon_id(offer=offer) == "Z4OV52SU"
    assert ladder.upgrade_offer_coupon_id(offer=offer) == "Z4OV52SU"
    call = stripe_http.only("post", "/v1/coupons")
    assert call.idempotency_key == f"upgrade-{offer.pk}-coupon"
    assert call.params == {
        "amount_off": "4500",
        "currency": "usd",
        "duration": "once",
        "max_redemptions": "1",
        "redeem_by": str(int(offer.expires_at.timestamp())),
        "name": "Upgrade credit",
        "metadata[upgrade_offer_id]": str(offer.pk),
    }
    offer.refresh_from_db()
    assert offer.stripe_coupon_id == "Z4OV52SU"


def test_the_stripe_seat_checkout_charges_the_credited_price_and_says_so(stripe_http, offer, cohort):
    from billing.models import ConnectedAccount

    ConnectedAccount.objects.create(
        mentor=cohort.facilitator, stripe_account_id="acct_1Mentor", payouts_enabled=True
    )
    enrollment = cohort_services.cohort_enroll(cohort=cohort, member=offer.mentee, accept_norms=True)
    seat_start_checkout(
        enrollment=enrollment, success_url="http://testserver/ok", cancel_url="http://testserver/no"
    )
    params = stripe_http.only("post", "/v1/checkout/sessions").params
    assert params["line_items[0][price_data][unit_amount]"] == "40500"
    assert params["line_items[0][price_data][product_data][description]"].endswith(
        "; upgrade credit of $45 applied (seat $450)"
    )
    assert params["metadata[upgrade_offer_id]"] == str(offer.pk)


# --- subscriptions (the checkout calls these) --------------------------------------------------


def test_a_credit_spent_on_a_subscription_cannot_be_spent_on_a_seat(mentor, cohort):
    plan = plan_of(mentor)
    booking = paid_session(mentor)
    rate(booking, 5)
    offer = ladder.upgrade_offer_available(mentee=booking.mentee, mentor=mentor, currency="usd")
    subscription = Subscription.objects.create(
        plan=plan, mentor=mentor, mentee=booking.mentee, provider=Subscription.Provider.STRIPE
    )
    ladder.upgrade_offer_redeem(offer=offer, subscription=subscription)
    enrollment = cohort_services.cohort_enroll(cohort=cohort, member=booking.mentee, accept_norms=True)
    assert enrollment.price_amount == 45000
    # The checkout expired: the credit comes back for the seat.
    ladder.upgrade_offer_release(offer=offer)
    assert ladder.upgrade_offer_available(mentee=booking.mentee, mentor=mentor, currency="USD") == offer


# --- the mentor ----------------------------------------------------------------------------------


def test_the_mentor_sees_how_many_mentees_laddered_up(
    client, mentor, cohort, django_assert_num_queries, django_capture_on_commit_callbacks
):
    plan = plan_of(mentor)
    seated, subscribed, only_holding = (paid_session(mentor) for _ in range(3))
    for booking in (seated, subscribed, only_holding):
        rate(booking, 5)
    seat = cohort_services.cohort_enroll(cohort=cohort, member=seated.mentee, accept_norms=True)
    cohort_services.enrollment_confirm_payment(enrollment=seat, notify=False)
    cohort_services.cohort_enroll(cohort=cohort, member=only_holding.mentee, accept_norms=True)
    subscription = Subscription.objects.create(
        plan=plan,
        mentor=mentor,
        mentee=subscribed.mentee,
        provider=Subscription.Provider.STRIPE,
        status=Subscription.Status.ACTIVE,
    )
    ladder.upgrade_offer_redeem(offer=subscribed.upgrade_offer, subscription=subscription)
    with django_assert_num_queries(1):
        assert mentor_laddered_up_count(mentor=mentor) == 2
    client.force_login(mentor.user)
    assert "2 mentees laddered up" in client.get(reverse("billing:earnings")).content.decode()
    assert "2 mentees laddered up so far" in client.get(reverse("mentors:availability")).content.decode()


def test_the_mentor_turns_offers_off_in_the_settings(client, mentor, cohort):
    client.force_login(mentor.user)
    response = client.post(reverse("mentors:availability"), {"section": "ladder"})
    assert response.status_code == 200
    assert "Ladder-up offers are off." in response.content.decode()
    mentor.refresh_from_db()
    assert mentor.ladder_up_nudges is False
    rate(paid_session(mentor), 5)
    assert not UpgradeOffer.objects.exists()
    client.post(reverse("mentors:availability"), {"section": "ladder", "ladder-ladder_up_nudges": "on"})
    mentor.refresh_from_db()
    assert mentor.ladder_up_nudges is True
