import pytest

from tests.calendars.feed_server import FeedServer


@pytest.fixture
def feed_server():
    server = FeedServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def radicale(tmp_path):
    from tests.calendars import radicale_server

    server = radicale_server.start(tmp_path)
    yield server
    server.stop()
