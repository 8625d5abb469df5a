"""The product's settings for the test run: the same module, with a SECRET_KEY of the tests' own
(config.settings requires one with DEBUG off). Set in the environment, so the workers, gunicorn
and Celery processes some tests start inherit it."""

import os

# The tests' feed server listens on the loopback network (tests/calendars/feed_server.py).
os.environ.setdefault("CALENDAR_FEEDS_ALLOWED_NETWORKS", "127.0.0.0/8")
os.environ.setdefault("SECRET_KEY", "insecure-key-for-the-test-suite-only-0123456789abcdefghijklmnop")

from config.settings import *  # noqa: E402,F401,F403

# Staff need a second factor before the admin (accounts.middleware.AccountSecurityMiddleware): the
# tests of that rule, the authorization matrix and the fuzz turn it on; the tests of what the
# admin does leave it off rather than set up an authenticator for every staff account they make.
STAFF_REQUIRE_SECOND_FACTOR = False

# Anonymous pages from the cache (core/pagecache.py) are off: a test that changes rows with
# factories between two requests would read its first page again. tests/core/test_page_cache.py
# turns it on.
PAGE_CACHE_SECONDS = 0

# The browser test of the booking widget lists a host page served on http://127.0.0.1.
EMBED_LOCAL_HTTP_ORIGINS = True
