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


@pytest.fixture
def fake_google(settings):
    from tests.calendars.fake_google import CLIENT_ID, CLIENT_SECRET, FakeGoogle

    server = FakeGoogle()
    server.start()
    settings.GOOGLE_CLIENT_ID, settings.GOOGLE_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
    settings.GOOGLE_OAUTH_URL = f"{server.base}/o/oauth2/v2/auth"
    settings.GOOGLE_TOKEN_URL = f"{server.base}/token"
    settings.GOOGLE_CALENDAR_API = f"{server.base}/calendar/v3"
    yield server
    server.stop()
