"""The unused sessions back on request, pro rata, once; the mentor paid their share of a pack
once, when it is settled."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from billing.models import Refund, Transfer
from billing.services import retry_stuck_money_movements
from packs import services
from packs.models import PackPurchase
from packs.purchases import pack_payout
from sessions import services as booking_services
from sessions.models import Booking
from tests.billing.helpers import next_weekday_at
from tests.factories import UserFactory
from tests.packs.helpers import book_with_pack, pack_of
from tests.packs.test_booking_with_pack import active_pack

pytestmark = pytest.mark.django_db
State = PackPurchase.State


@pytest.fixture
def demo(settings):
    settings.DEBUG, settings.BILLING_PROVIDER = True, "demo"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def close(booking):
    booking_services.booking_close(
        booking=booking,
        by=booking.mentor.user,
        action_item="Send the answer to Acme",
        due_date=booking.ends_at.date() + timedelta(days=7),
        now=booking.ends_at + timedelta(minutes=5),
    )


def test_the_unused_sessions_are_refunded_pro_rata_once_and_the_pack_closes(
    demo, django_capture_on_commit_callbacks
):
    mentee = UserFactory()
    purchase = active_pack(pack_of(), mentee)  # $114.75 for 3
    booking = book_with_pack(purchase.offering, mentee, starts_at=next_weekday_at(10, days_ahead=1))
    Booking.objects.filter(pk=booking.pk).update(state=Booking.State.COMPLETED)
    with django_capture_on_commit_callbacks(execute=True):
        services.pack_refund_unused(purchase=purchase, by=mentee)
    purchase.refresh_from_db()
    assert purchase.state == State.CLOSED
    refund = Refund.objects.get()
    assert (refund.amount, refund.currency, refund.key) == (7650, "USD", f"pack-{purchase.pk}-unused")
    assert refund.state == Refund.State.SUCCEEDED  # the demo provider takes it at once
    assert [m.subject for m in mail.outbox if "Refund" in m.subject] == [
        f"Refund: $76.50 for your pack of 3 × {purchase.offering.title}"
    ]
    with pytest.raises(services.PackError, match="refunded already"):
        services.pack_refund_unused(purchase=purchase, by=mentee)
    assert Refund.objects.count() == 1
    with pytest.raises(booking_services.BookingError, match="no pack"):
        book_with_pack(purchase.offering, mentee, starts_at=next_weekday_at(12))


def test_no_refund_while_a_session_of_the_pack_is_still_ahead_or_for_someone_else(demo):
    mentee = UserFactory()
    purchase = active_pack(pack_of(), mentee)
    book_with_pack(purchase.offering, mentee)
    with pytest.raises(services.PackError, match="still booked"):
        services.pack_refund_unused(purchase=purchase, by=mentee)
    with pytest.raises(services.PackError, match="not your pack"):
        services.pack_refund_unused(purchase=purchase, by=UserFactory())
    assert not Refund.objects.exists()
    assert PackPurchase.objects.get().state == State.ACTIVE


def test_after_the_pack_ends_unused_sessions_are_not_refunded(demo):
    mentee = UserFactory()
    purchase = active_pack(pack_of(), mentee, expires_in=timedelta(days=-1))
    with pytest.raises(services.PackError, match="has ended"):
        services.pack_refund_unused(purchase=purchase, by=mentee)
    assert not Refund.objects.exists()


def test_the_mentor_is_paid_once_when_the_pack_is_settled_and_not_before(demo):
    mentee = UserFactory()
    purchase = active_pack(pack_of(), mentee, sessions=1)
    later = timezone.now() + timedelta(days=1)
    assert retry_stuck_money_movements(older_than=timedelta(0)) is not None
    assert not Transfer.objects.exists()  # sessions left, and the pack has not ended

    booking = book_with_pack(purchase.offering, mentee, starts_at=next_weekday_at(10, days_ahead=1))
    assert pack_payout(purchase_id=purchase.pk) is None  # its session is still ahead
    close(booking)
    transfer = pack_payout(purchase_id=purchase.pk, now=later)
    assert (transfer.amount, transfer.state) == (11475 - 1721, Transfer.State.PAID)
    assert pack_payout(purchase_id=purchase.pk, now=later).pk == transfer.pk
    retry_stuck_money_movements(older_than=timedelta(0))
    assert Transfer.objects.count() == 1


def test_after_a_refund_of_the_unused_sessions_the_mentor_is_paid_for_what_was_used(
    demo, django_capture_on_commit_callbacks
):
    mentee = UserFactory()
    purchase = active_pack(pack_of(), mentee)
    booking = book_with_pack(purchase.offering, mentee, starts_at=next_weekday_at(10, days_ahead=1))
    close(booking)
    with django_capture_on_commit_callbacks(execute=True):
        services.pack_refund_unused(purchase=purchase, by=mentee)
    retry_stuck_money_movements(older_than=timedelta(0))
    transfer = Transfer.objects.get()
    net = 11475 - 7650
    assert transfer.amount == net - (net * 15 + 50) // 100


def test_the_refund_button_is_the_owners_and_says_how_much(client, demo):
    mentee = UserFactory()
    purchase = active_pack(pack_of(), mentee)
    client.force_login(mentee)
    page = client.get(purchase.get_absolute_url()).content.decode()
    assert "Refund $114.75 and close the pack" in page
    client.force_login(UserFactory())
    assert client.post(reverse("packs:refund", args=[purchase.pk])).status_code == 404
    assert not Refund.objects.exists()
    client.force_login(mentee)
    assert client.post(reverse("packs:refund", args=[purchase.pk])).status_code == 302
    assert Refund.objects.get().amount == 11475
