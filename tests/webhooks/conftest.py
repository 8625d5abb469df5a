import pytest

from tests.factories import MentorFactory
from tests.webhooks.receiver import Receiver
from webhooks import services
from webhooks.models import EventType


@pytest.fixture
def receiver():
    server = Receiver()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mentor(db):
    return MentorFactory()


@pytest.fixture
def endpoint_with_secret(mentor, receiver):
    """The mentor's endpoint for every event, at the local receiver, and its signing secret."""
    return services.endpoint_create(mentor=mentor, url=receiver.url, events=EventType.values)
