"""A mentor adds a webhook endpoint, copies its secret (shown once), sends a test event, and sees
a booking arrive in the delivery log; a failed event is sent again from the log (issue 24). Real
POSTs to a local receiver, through the live server and the real tasks (Celery eager)."""

import json
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.checks import SCREENS
from tests.browser.helpers import log_in
from tests.factories import BookingFactory, MentorFactory, UserFactory
from tests.webhooks.receiver import Receiver
from webhooks.events import booking_data
from webhooks.models import WebhookEndpoint
from webhooks.services import event_record
from webhooks.signing import HEADER, verify


@SCREENS
def test_a_mentor_adds_an_endpoint_tests_it_and_sends_a_failed_event_again(
    page: Page, live_server, check, screen
):
    mentor = MentorFactory(user__email="hook@example.com", user__timezone="Europe/Berlin")
    receiver = Receiver()
    receiver.start()
    try:
        log_in(page, live_server.url, "hook@example.com")
        page.goto(f"{live_server.url}/mentor/webhooks/")
        check(page, "webhooks-empty")
        page.get_by_role("link", name="Add your first endpoint").click()
        page.get_by_label("Endpoint URL").fill("https://169.254.169.254/latest/")
        page.get_by_role("button", name="Add endpoint").click()
        expect(page.get_by_text("points to a private or local network")).to_be_visible()
        check(page, "webhooks-refused")
        page.get_by_label("Endpoint URL").fill(receiver.url)
        page.get_by_label("Description").fill("My CRM")
        page.get_by_label("Booking cancelled").uncheck()
        page.get_by_role("button", name="Add endpoint").click()
        expect(page.get_by_role("heading", name="Your signing secret")).to_be_visible()
        secret = page.locator("#signing-secret").inner_text()
        check(page, "webhooks-secret")
        endpoint = WebhookEndpoint.objects.get()
        assert secret == endpoint.secret and "booking.cancelled" not in endpoint.events

        page.get_by_role("button", name="Send test event").click()
        expect(page.get_by_text("Test event sent")).to_be_visible()
        expect(page.get_by_role("heading", name="Your signing secret")).to_have_count(0)  # once
        (ping,) = receiver.requests
        assert verify(header=ping.headers[HEADER], body=ping.body, secret=secret)
        assert json.loads(ping.body)["type"] == "ping"

        booking = BookingFactory(
            offering__mentor=mentor,
            mentee=UserFactory(display_name="Ada"),
            starts_at=timezone.now().replace(microsecond=0) + timedelta(days=2),
        )
        receiver.answers = [200, 500]  # the booking's event is answered 500: retried later
        with transaction.atomic():
            (pending,) = event_record(
                mentor_id=mentor.pk, event_type="booking.created", data=booking_data(booking)
            )
        page.reload()
        row = page.locator(f"#delivery-{pending.pk}")
        expect(row).to_contain_text("500")
        expect(row).to_contain_text("Pending")
        check(page, "webhooks", doc=True)
        receiver.answers = [200]
        row.get_by_role("button", name="Send booking.created again").click()
        expect(page.get_by_text("Sending the event again")).to_be_visible()
        expect(page.locator(f"#delivery-{pending.pk}")).to_contain_text("Delivered")
        assert [json.loads(r.body)["id"] for r in receiver.requests[1:]] == [pending.event_id] * 2
        page.goto(f"{live_server.url}/mentor/webhooks/")
        expect(page.get_by_role("link", name=receiver.url)).to_be_visible()
        check(page, "webhooks-list")
    finally:
        receiver.stop()
