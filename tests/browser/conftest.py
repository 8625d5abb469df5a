"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Never run `playwright install` here; the tests use /usr/bin/chromium (docs/testing.md says how).
Without it the browser tests are skipped (with CI=true every skip fails: tests/conftest.py).
"""

import os
from pathlib import Path

import pytest

from billing.services.payments import check_provider_settings
from tests.browser.checks import DESKTOP, Checker
from tests.browser.helpers import BROWSER_TIMEZONE

# Playwright's sync API keeps an event loop running in the test's thread, so Django would
# refuse ORM calls made from the test body without this. Must be set before any test runs.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium); browser tests skipped")


@pytest.fixture(autouse=True)
def _chromium_present():
    """Skip before anything tries to launch a browser."""
    _require_chromium()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    _require_chromium()
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": DESKTOP,
        "timezone_id": BROWSER_TIMEZONE,
        "locale": "en-US",
    }


@pytest.fixture(scope="session", autouse=True)
def _plain_http_live_server():
    """The live server speaks plain HTTP: no redirect to HTTPS, no Secure-only cookies.

    Session-scoped and autouse so it is in place *before* the session-scoped `live_server`
    starts: SecurityMiddleware reads SECURE_SSL_REDIRECT once, when the server's handler
    builds its middleware chain, so a function-scoped `settings` override (as in
    tests/conftest.py) comes too late and every page would 301 to https://.
    """
    from django.test import override_settings

    plain_http = override_settings(
        SECURE_SSL_REDIRECT=False, SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False
    )
    with plain_http:
        yield


@pytest.fixture(autouse=True)
def _live_server_settings(settings):
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # Plain storage, so {% static %} needs no collectstatic manifest; the live server then
    # serves /static/ from the finders (django.contrib.staticfiles is installed), htmx included.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # pytest-django already swaps in locmem; say so, since the tests read mail.outbox.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def site_url(live_server, settings):
    """Links in e-mails and .ics files point at the live server."""
    settings.SITE_URL = live_server.url
    return live_server.url


@pytest.fixture
def check(request):
    """check(page, "name", doc=False): axe finds no critical or serious violation on the page as it
    is now, and a screenshot is saved (tests/browser/checks.py says where)."""
    checker = Checker(request.node.name)
    yield checker
    if checker.problems:
        pytest.fail("\n".join(checker.problems), pytrace=False)


@pytest.fixture
def demo_provider(settings):
    """The demo provider, as `run` configures it locally (see the module docstring)."""
    settings.DEBUG = True
    settings.BILLING_PROVIDER = "demo"
    settings.STRIPE_SECRET_KEY = ""
    check_provider_settings(
        provider=settings.BILLING_PROVIDER, debug=settings.DEBUG, secret_key=settings.STRIPE_SECRET_KEY
    )
