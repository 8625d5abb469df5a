"""One delivery is never sent twice at once: two workers (threads with their own PostgreSQL
connections) race for it, the receiver is slow, and it is POSTed once."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from webhooks import services
from webhooks.models import WebhookDelivery

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 4


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL")


def test_workers_racing_for_one_delivery_send_it_once(mentor, receiver, endpoint_with_secret):
    receiver.delay = 0.5  # the first worker is still waiting for its answer when the others look
    endpoint, _ = endpoint_with_secret
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_type="booking.created",
        event_id="evt_race",
        payload={},
        give_up_at=timezone.now(),
    )
    barrier = threading.Barrier(WORKERS)
    results = [None] * WORKERS

    def work(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = services.delivery_attempt(delivery_id=delivery.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(receiver.requests) == 1
    assert sum(result is not None for result in results) == 1
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.DELIVERED and delivery.attempts == 1
