import pytest

from tests.calendars.feed_server import FeedServer


@pytest.fixture
def feed_server():
    server = FeedServer()
    server.start()
    yield server
    server.stop()
