"""Enrolment, payment, the waitlist and its 24 h offers, leaving, and the minimum at the deadline."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from billing.models import Payment, Refund
from cohorts import services
from cohorts.models import Cohort, Enrollment
from core.one_click import one_click_url
from notifications.models import Notification
from notifications.services import notification_send

State = Enrollment.State
Kind = Notification.Kind


def pay_seat(enrollment: Enrollment) -> Enrollment:
    """What the payment event does: a paid demo payment, then the membership."""
    Payment.objects.create(
        enrollment=enrollment,
        provider=Payment.Provider.DEMO,
        amount=enrollment.price_amount,
        currency=enrollment.currency,
        platform_fee=enrollment.price_amount * 15 // 100,
        state=Payment.State.PAID,
        paid_at=timezone.now(),
    )
    return services.enrollment_confirm_payment(enrollment=enrollment)


def test_a_free_cohort_makes_a_member_at_once_with_reminders_and_a_welcome(
    free_cohort, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = services.cohort_enroll(cohort=free_cohort, member=people[0], accept_norms=True)
    assert enrollment.state == State.ACTIVE and enrollment.norms_accepted_at
    assert [m.subject for m in mail.outbox] == [f"Welcome to “{free_cohort.title}”"]
    kinds = sorted(Notification.objects.filter(enrollment=enrollment).values_list("kind", flat=True))
    assert kinds == sorted([Kind.COHORT_EVENT_24H, Kind.COHORT_EVENT_1H, Kind.ASSIGNMENT_DUE_24H])


def test_the_norms_must_be_accepted_and_nothing_is_saved_otherwise(free_cohort, people):
    with pytest.raises(services.CohortError) as error:
        services.cohort_enroll(cohort=free_cohort, member=people[0], accept_norms=False)
    assert error.value.field == "accept_norms"
    assert not Enrollment.objects.exists()


def test_enrolling_twice_or_in_a_draft_is_refused(free_cohort, people):
    services.cohort_enroll(cohort=free_cohort, member=people[0], accept_norms=True)
    with pytest.raises(services.CohortError, match="already have a place"):
        services.cohort_enroll(cohort=free_cohort, member=people[0], accept_norms=True)
    Cohort.objects.filter(pk=free_cohort.pk).update(status=Cohort.Status.DRAFT)
    with pytest.raises(services.CohortError, match="not open"):
        services.cohort_enroll(cohort=free_cohort, member=people[1], accept_norms=True)


def test_enroll_then_pay_through_the_demo_checkout_makes_a_member(
    demo, client, paid_cohort, people, django_capture_on_commit_callbacks
):
    client.force_login(people[0])
    response = client.post(reverse("cohorts:enroll", args=[paid_cohort.slug]), {"accept_norms": "on"})
    payment = Payment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("billing:demo_checkout", args=[payment.pk])
    assert (payment.amount, payment.currency, payment.enrollment.state) == (45000, "USD", State.HELD)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(response["Location"], {"action": "pay"})
    assert response["Location"] == reverse("cohorts:checkout_success", args=[paid_cohort.slug])
    enrollment = Enrollment.objects.get()
    assert enrollment.state == State.ACTIVE
    assert "you're a member" in client.get(response["Location"]).content.decode()


def test_abandoning_the_checkout_gives_the_seat_to_the_waitlist(
    demo, client, paid_cohort, people, django_capture_on_commit_callbacks
):
    for person in people[:2]:
        pay_seat(services.cohort_enroll(cohort=paid_cohort, member=person, accept_norms=True))
    held = services.cohort_enroll(cohort=paid_cohort, member=people[2], accept_norms=True)
    waiting = services.cohort_enroll(cohort=paid_cohort, member=people[3], accept_norms=True)
    assert (held.state, waiting.state) == (State.HELD, State.WAITLISTED)
    client.force_login(people[2])
    cancel = reverse("cohorts:checkout_cancel", args=[paid_cohort.slug])
    # Opened without Stripe's signed link (another site linking it, say): a question, nothing moves.
    assert b"Give the seat back" in client.get(cancel).content
    held.refresh_from_db()
    assert held.state == State.HELD
    with django_capture_on_commit_callbacks(execute=True):
        client.get(one_click_url(cancel, user=people[2]))
    held.refresh_from_db()
    waiting.refresh_from_db()
    assert (held.state, waiting.state) == (State.EXPIRED, State.OFFERED)


def test_a_full_cohort_waitlists_in_order_and_offers_a_freed_seat_once(
    paid_cohort, people, django_capture_on_commit_callbacks
):
    members = [
        pay_seat(services.cohort_enroll(cohort=paid_cohort, member=p, accept_norms=True)) for p in people[:3]
    ]
    first, second = (
        services.cohort_enroll(cohort=paid_cohort, member=p, accept_norms=True) for p in people[3:5]
    )
    assert (first.state, second.state) == (State.WAITLISTED, State.WAITLISTED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.enrollment_leave(enrollment=members[0], by=people[0])
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (State.OFFERED, State.WAITLISTED)
    assert first.offer_expires_at == pytest.approx(
        timezone.now() + timedelta(hours=24), abs=timedelta(minutes=1)
    )
    # The left member is refunded in full (before the start), the offer e-mailed once.
    assert Refund.objects.get().amount == 45000
    offers = [m for m in mail.outbox if "is yours to claim" in m.subject]
    assert [m.to for m in offers] == [[people[3].email]]
    offer = Notification.objects.get(kind=Kind.SEAT_OFFERED)
    assert notification_send(notification_id=offer.pk) == "sent"  # a second send is a no-op
    assert len([m for m in mail.outbox if "is yours to claim" in m.subject]) == 1


def test_an_unclaimed_offer_lapses_after_24_hours_and_goes_to_the_next_person(
    paid_cohort, people, django_capture_on_commit_callbacks
):
    members = [
        pay_seat(services.cohort_enroll(cohort=paid_cohort, member=p, accept_norms=True)) for p in people[:3]
    ]
    first, second = (
        services.cohort_enroll(cohort=paid_cohort, member=p, accept_norms=True) for p in people[3:5]
    )
    services.enrollment_leave(enrollment=members[0], by=people[0])
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        with pytest.raises(services.CohortError, match="lapsed"):
            services.enrollment_claim_offer(enrollment=first, member=people[3], accept_norms=True)
        services.cohorts_sweep()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (State.EXPIRED, State.OFFERED)


def test_claiming_an_offer_holds_the_seat_for_payment(paid_cohort, people):
    members = [
        pay_seat(services.cohort_enroll(cohort=paid_cohort, member=p, accept_norms=True)) for p in people[:3]
    ]
    waiting = services.cohort_enroll(cohort=paid_cohort, member=people[3], accept_norms=True)
    services.enrollment_leave(enrollment=members[1], by=people[1])
    with pytest.raises(services.CohortError, match="not yours"):
        services.enrollment_claim_offer(enrollment=waiting, member=people[4], accept_norms=True)
    claimed = services.enrollment_claim_offer(enrollment=waiting, member=people[3], accept_norms=True)
    assert claimed.state == State.HELD and claimed.hold_expires_at > timezone.now()
    assert pay_seat(claimed).state == State.ACTIVE


def test_below_the_minimum_at_the_deadline_the_cohort_is_cancelled_and_refunded(
    paid_cohort, people, django_capture_on_commit_callbacks
):
    member = pay_seat(services.cohort_enroll(cohort=paid_cohort, member=people[0], accept_norms=True))
    mail.outbox.clear()
    with time_machine.travel(paid_cohort.enrollment_deadline + timedelta(minutes=1)):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.cohorts_sweep()["cancelled"] == 1
    paid_cohort.refresh_from_db()
    member.refresh_from_db()
    assert paid_cohort.status == Cohort.Status.CANCELLED and member.state == State.CANCELLED
    refund = Refund.objects.get()
    assert (refund.amount, refund.state, refund.key) == (45000, "succeeded", f"seat-{member.pk}-policy")
    subjects = sorted(m.subject for m in mail.outbox)
    assert f"Cancelled: “{paid_cohort.title}”" in subjects
    assert f"Refund: $450 for your seat in {paid_cohort.title}" in subjects
    # Run again: nothing more happens.
    with time_machine.travel(paid_cohort.enrollment_deadline + timedelta(minutes=2)):
        assert services.cohorts_sweep()["cancelled"] == 0
    assert Refund.objects.count() == 1


def test_a_cohort_at_its_minimum_runs(paid_cohort, people):
    for person in people[:2]:
        pay_seat(services.cohort_enroll(cohort=paid_cohort, member=person, accept_norms=True))
    with time_machine.travel(paid_cohort.enrollment_deadline + timedelta(minutes=1)):
        assert services.cohorts_sweep()["cancelled"] == 0
    paid_cohort.refresh_from_db()
    assert paid_cohort.status == Cohort.Status.PUBLISHED


def test_leaving_after_the_start_is_refused_and_refunds_nothing(paid_cohort, people):
    member = pay_seat(services.cohort_enroll(cohort=paid_cohort, member=people[0], accept_norms=True))
    with time_machine.travel(paid_cohort.starts_at + timedelta(hours=1)):
        with pytest.raises(services.CohortError, match="has started"):
            services.enrollment_leave(enrollment=member, by=people[0])
    assert not Refund.objects.exists()


def test_a_finished_cohort_pays_the_facilitator_their_share_of_each_seat(
    paid_cohort, people, django_capture_on_commit_callbacks
):
    from billing.models import Transfer

    for person in people[:2]:
        pay_seat(services.cohort_enroll(cohort=paid_cohort, member=person, accept_norms=True))
    with time_machine.travel(paid_cohort.ends_at + timedelta(minutes=1)):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.cohorts_sweep()["finished"] == 1
    transfers = Transfer.objects.all()
    assert [t.amount for t in transfers] == [45000 - 6750, 45000 - 6750]
    assert {t.destination for t in transfers} == {f"acct_demo_{paid_cohort.facilitator_id}"}


def test_member_reminders_go_out_in_the_members_zone_and_skip_what_no_longer_applies(free_cohort, people):
    from notifications.services import notifications_claim_due

    enrollment = services.cohort_enroll(cohort=free_cohort, member=people[0], accept_norms=True)
    event = free_cohort.events.get()
    module = free_cohort.modules.get()
    with time_machine.travel(event.starts_at - timedelta(hours=23)):
        for pk in notifications_claim_due():
            notification_send(notification_id=pk)
    [reminder] = [m for m in mail.outbox if m.subject.startswith("Tomorrow:")]
    local = event.starts_at.astimezone(people[0].zone)
    assert reminder.to == [people[0].email]
    assert f"{local:%H:%M} (America/New_York)" in reminder.body and event.join_url in reminder.body
    # Submitted before the 24 h mark: the assignment reminder is skipped, not sent.
    with time_machine.travel(module.release_at + timedelta(hours=1)):
        services.submission_save(module=module, enrollment=enrollment, text="Done early")
    with time_machine.travel(module.assignment_due_at - timedelta(hours=23)):
        for pk in notifications_claim_due():
            notification_send(notification_id=pk)
    row = Notification.objects.get(enrollment=enrollment, kind=Kind.ASSIGNMENT_DUE_24H)
    assert (row.state, row.last_error) == ("cancelled", "assignment submitted")
    assert not [m for m in mail.outbox if m.subject.startswith("Due in 24 hours")]
