"""Staff work on money through the admin: refund actions, reprocessing events, read-only rows."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from billing import services
from billing.models import BillingCustomer, ConnectedAccount, Payment, Refund, Transfer, WebhookEvent
from tests.billing.helpers import book, fixture_text

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:billing_payment_changelist"


@pytest.fixture
def paid(paid_booking):
    """The Payment of a $45 booking paid through Checkout and confirmed by the signed webhook."""
    return paid_booking.payment


def _refund_through_admin(admin_client, payment, capture, **form):
    url = reverse(CHANGELIST)
    before = Refund.objects.count()
    # Choosing the action shows the form first; nothing is refunded yet.
    page = admin_client.post(url, {"action": "refund", "_selected_action": [payment.pk]})
    assert page.status_code == 200
    assert "Refund these payments" in page.content.decode() and Refund.objects.count() == before
    with capture(execute=True):
        return admin_client.post(
            url, {"action": "refund", "_selected_action": [payment.pk], "apply": "1", **form}
        )


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_full_refund_from_the_admin_goes_to_stripe_with_the_reason(
    admin_client, admin_user, paid, stripe_http, django_capture_on_commit_callbacks, mailoutbox
):
    response = _refund_through_admin(
        admin_client, paid, django_capture_on_commit_callbacks, amount="", reason="Mentor asked us to"
    )
    assert response.status_code == 302 and response["Location"] == reverse(CHANGELIST)
    refund = Refund.objects.get()
    assert (refund.amount, refund.currency, refund.reason) == (4500, "USD", "Mentor asked us to")
    assert refund.requested_by == admin_user and refund.state == Refund.State.SUCCEEDED
    sent = stripe_http.only("post", "/v1/refunds")
    assert sent.params["amount"] == "4500" and sent.params["payment_intent"] == "pi_3Test123"
    assert sent.idempotency_key == f"refund-{refund.pk}"
    assert any("refund requested" in m for m in _messages(response))
    assert [m.to for m in mailoutbox if m.subject.startswith("Refund:")] == [[paid.booking.mentee.email]]
    paid.refresh_from_db()
    assert paid.refundable == 0


def test_a_partial_refund_from_the_admin_then_the_rest(
    admin_client, paid, stripe_http, django_capture_on_commit_callbacks
):
    _refund_through_admin(
        admin_client, paid, django_capture_on_commit_callbacks, amount="1000", reason="Started 10 min late"
    )
    first = Refund.objects.get()
    assert (first.amount, first.reason) == (1000, "Started 10 min late")
    assert stripe_http.only("post", "/v1/refunds").params["amount"] == "1000"
    paid.refresh_from_db()
    assert paid.refundable == 3500

    # More than is left is refused with the reason, and nothing is sent.
    response = _refund_through_admin(
        admin_client, paid, django_capture_on_commit_callbacks, amount="4000", reason="Oops"
    )
    assert any("At most $35 can still be refunded" in m for m in _messages(response))
    assert Refund.objects.count() == 1 and stripe_http.count("post", "/v1/refunds") == 1

    stripe_http.answer("post", "/v1/refunds", "response_refund_second.json")  # Stripe's next refund id
    _refund_through_admin(admin_client, paid, django_capture_on_commit_callbacks, amount="", reason="Rest")
    assert sorted(Refund.objects.values_list("amount", flat=True)) == [1000, 3500]
    assert stripe_http.count("post", "/v1/refunds") == 2
    keys = {c.idempotency_key for c in stripe_http.calls if c.path == "/v1/refunds"}
    assert len(keys) == 2  # two refunds, two keys


@pytest.mark.parametrize(
    "form, error",
    [
        ({"amount": "1000", "reason": ""}, "This field is required."),
        ({"amount": "0", "reason": "Zero"}, "Ensure this value is greater than or equal to 1."),
        ({"amount": "ten", "reason": "Text"}, "Enter a whole number."),
    ],
)
def test_a_refund_without_a_reason_or_a_bad_amount_is_refused(
    admin_client, paid, stripe_http, django_capture_on_commit_callbacks, form, error
):
    response = _refund_through_admin(admin_client, paid, django_capture_on_commit_callbacks, **form)
    assert response.status_code == 200 and error in response.content.decode()
    assert not Refund.objects.exists() and stripe_http.count("post", "/v1/refunds") == 0


def test_an_unpaid_payment_cannot_be_refunded_from_the_admin(
    admin_client, stripe_http, paid_offering, django_capture_on_commit_callbacks
):
    payment = services.payment_start_checkout(
        booking=book(paid_offering), success_url="http://testserver/ok", cancel_url="http://testserver/no"
    )
    response = _refund_through_admin(
        admin_client, payment, django_capture_on_commit_callbacks, amount="", reason="Why not"
    )
    assert any("Only a paid payment can be refunded" in m for m in _messages(response))
    assert not Refund.objects.exists()


def test_a_failed_event_is_reprocessed_from_the_admin(
    admin_client, paid, post_event, django_capture_on_commit_callbacks
):
    # transfer.reversed arrives before we stored the transfer's id: it fails and is kept.
    payload = fixture_text(
        "event_transfer_reversed.json",
        transfer_id="tr_1Test123",
        transfer_amount=3825,
        booking_id=paid.booking_id,
    )
    post_event(payload)
    event = WebhookEvent.objects.get(type="transfer.reversed")
    assert event.state == WebhookEvent.State.FAILED and "no transfer" in event.last_error
    transfer = Transfer.objects.create(
        payment=paid,
        amount=3825,
        currency="USD",
        destination="acct_1Mentor",
        stripe_transfer_id="tr_1Test123",
        state=Transfer.State.PAID,
    )

    url = reverse("admin:billing_webhookevent_changelist")
    processed = WebhookEvent.objects.get(type="checkout.session.completed")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url, {"action": "reprocess", "_selected_action": [event.pk, processed.pk]}, follow=True
        )
    assert response.status_code == 200
    event.refresh_from_db()
    assert event.state == WebhookEvent.State.PROCESSED and event.attempts == 2 and event.last_error == ""
    transfer.refresh_from_db()
    assert transfer.reversed and transfer.amount_reversed == 3825
    # An already processed event is left alone.
    before = processed.attempts
    processed.refresh_from_db()
    assert processed.attempts == before == 1
    assert any("Processed" in m for m in _messages(response))


def test_an_event_that_still_fails_stays_failed_with_an_error_message(admin_client, paid, post_event):
    post_event(
        fixture_text("event_transfer_reversed.json", transfer_id="tr_nope", transfer_amount=1, booking_id=1)
    )
    event = WebhookEvent.objects.get(type="transfer.reversed")
    response = admin_client.post(
        reverse("admin:billing_webhookevent_changelist"),
        {"action": "reprocess", "_selected_action": [event.pk]},
        follow=True,
    )
    event.refresh_from_db()
    assert event.state == WebhookEvent.State.FAILED and event.attempts == 2
    assert any("Failed" in m for m in _messages(response))


@pytest.mark.parametrize(
    "model", [Payment, Refund, Transfer, ConnectedAccount, BillingCustomer, WebhookEvent]
)
def test_money_rows_cannot_be_added_or_deleted_in_the_admin(admin_client, model):
    opts = model._meta
    assert admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403


def test_money_fields_are_read_only_in_the_admin(
    admin_client, paid, stripe_http, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_refund(payment=paid, amount=500, reason="Late", by=None)
    Transfer.objects.create(payment=paid, amount=3400, currency="USD", destination="acct_1Mentor")
    rows = {
        "payment": (paid.pk, ["amount", "currency", "platform_fee", "amount_refunded", "state"]),
        "refund": (
            Refund.objects.get().pk,
            ["amount", "currency", "reason", "state", "buyer_told_at", "payout_adjusted_at"],
        ),
        "transfer": (Transfer.objects.get().pk, ["amount", "currency", "destination", "amount_reversed"]),
    }
    for model_name, (pk, fields) in rows.items():
        url = reverse(f"admin:billing_{model_name}_change", args=[pk])
        page = admin_client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        for name in fields:
            assert f'name="{name}"' not in html, f"{model_name}.{name} is editable"
        assert admin_client.get(reverse(f"admin:billing_{model_name}_delete", args=[pk])).status_code == 403
        if model_name == "refund":  # shown, read-only: staff see whether the follow-ups happened
            assert "Buyer told at" in html and "Payout adjusted at" in html

    # A crafted POST to the change form changes nothing.
    admin_client.post(
        reverse("admin:billing_payment_change", args=[paid.pk]),
        {"amount": "1", "platform_fee": "0", "state": "pending", "currency": "EUR", "amount_refunded": "0"},
    )
    paid.refresh_from_db()
    assert (paid.amount, paid.platform_fee, paid.state, paid.currency) == (4500, 675, "paid", "USD")
    assert paid.refunds.get().amount == 500


@pytest.mark.parametrize(
    "model_name,term",
    [
        ("payment", "booking_id"),
        ("payment", "mentee"),
        ("payment", "mentor"),
        ("payment", "pi_3Test123"),
        ("refund", "booking_id"),
        ("refund", "mentee"),
        ("refund", "mentor"),
        ("refund", "re_3Test123"),
        ("transfer", "booking_id"),
        ("transfer", "mentee"),
        ("transfer", "mentor"),
        ("transfer", "tr_1Test123"),
        ("webhookevent", "booking_id"),
        ("webhookevent", "cs_test_a1B2c3"),
        ("webhookevent", "pi_3Test123"),
        ("connectedaccount", "mentor"),
        ("connectedaccount", "acct_1Mentor"),
    ],
)
def test_money_rows_are_found_by_booking_mentee_mentor_or_stripe_id(
    admin_client, paid, stripe_http, django_capture_on_commit_callbacks, model_name, term
):
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_refund(payment=paid, amount=500, reason="Late", by=None)
    Transfer.objects.create(
        payment=paid,
        amount=3400,
        currency="USD",
        destination="acct_1Mentor",
        stripe_transfer_id="tr_1Test123",
    )
    ConnectedAccount.objects.create(mentor=paid.booking.mentor, stripe_account_id="acct_1Mentor")
    booking = paid.booking
    query = {
        "booking_id": str(booking.pk),
        "mentee": booking.mentee.email,
        "mentor": booking.mentor.user.email,
    }.get(term, term)
    url = reverse(f"admin:billing_{model_name}_changelist")
    found = admin_client.get(url, {"q": query})
    assert found.status_code == 200
    assert found.context["cl"].result_count >= 1, f"{model_name}: nothing for {term}"
    assert admin_client.get(url, {"q": "nothing-like-this"}).context["cl"].result_count == 0


@pytest.fixture
def moderator_client(client):
    from moderation.services import moderators_group_sync
    from tests.factories import UserFactory

    moderator = UserFactory(is_staff=True)
    moderator.groups.add(moderators_group_sync())
    client.force_login(moderator)
    return client


def test_a_moderator_refunds_up_to_the_limit_and_no_more(
    moderator_client, paid, stripe_http, django_capture_on_commit_callbacks, settings
):
    settings.MODERATOR_REFUND_LIMIT = 2000

    refused = _refund_through_admin(
        moderator_client, paid, django_capture_on_commit_callbacks, amount="", reason="Session was cut short"
    )
    assert any("Refunds over $20 need a superuser" in m for m in _messages(refused))
    assert not Refund.objects.exists() and stripe_http.count("post", "/v1/refunds") == 0

    _refund_through_admin(
        moderator_client,
        paid,
        django_capture_on_commit_callbacks,
        amount="2000",
        reason="Session was cut short",
    )
    assert list(Refund.objects.values_list("amount", "state")) == [(2000, Refund.State.SUCCEEDED)]


def test_a_moderator_sees_money_but_not_the_superuser_actions(moderator_client, paid):
    payments = moderator_client.get(reverse(CHANGELIST))
    assert payments.status_code == 200 and 'value="refund"' in payments.content.decode()
    events = moderator_client.get(reverse("admin:billing_webhookevent_changelist"))
    assert events.status_code == 200 and 'value="reprocess"' not in events.content.decode()
    assert moderator_client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    assert moderator_client.get(reverse("admin:accounts_user_add")).status_code == 403
