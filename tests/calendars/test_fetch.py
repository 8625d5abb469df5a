"""Fetching a feed: conditional requests, redirects, limits and refusals, against a real local server."""

import pytest

from calendars import fetch
from calendars.fetch import FetchError, fetch_feed, normalised
from tests.calendars.feed_server import Route

LOCAL = fetch.networks(["127.0.0.0/8"])

FEED = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nEND:VCALENDAR\r\n"


def test_a_feed_is_fetched_then_answered_not_modified_by_etag(feed_server):
    feed_server.routes["/cal.ics"] = Route(body=FEED, etag='"v1"')
    first = fetch_feed(feed_server.url("/cal.ics"), allowed_networks=LOCAL)
    assert (first.body, first.etag) == (FEED, '"v1"')

    again = fetch_feed(feed_server.url("/cal.ics"), etag=first.etag, allowed_networks=LOCAL)
    assert again.body is None
    assert again.etag == '"v1"'
    assert feed_server.requests[-1][1]["If-None-Match"] == '"v1"'


def test_last_modified_is_sent_back_as_if_modified_since(feed_server):
    stamp = "Wed, 03 Mar 2027 10:00:00 GMT"
    feed_server.routes["/cal.ics"] = Route(body=FEED, last_modified=stamp)
    first = fetch_feed(feed_server.url("/cal.ics"), allowed_networks=LOCAL)
    assert first.last_modified == stamp
    assert fetch_feed(feed_server.url("/cal.ics"), last_modified=stamp, allowed_networks=LOCAL).body is None


def test_a_changed_feed_is_fetched_in_full(feed_server):
    feed_server.routes["/cal.ics"] = Route(body=FEED, etag='"v2"')
    result = fetch_feed(feed_server.url("/cal.ics"), etag='"v1"', allowed_networks=LOCAL)
    assert (result.body, result.etag) == (FEED, '"v2"')


def test_gzip_is_decoded(feed_server):
    feed_server.routes["/cal.ics"] = Route(body=FEED, gzip=True)
    assert fetch_feed(feed_server.url("/cal.ics"), allowed_networks=LOCAL).body == FEED


def test_redirects_are_followed_and_the_final_address_reported(feed_server):
    feed_server.routes["/old.ics"] = Route(status=301, location="/new.ics")
    feed_server.routes["/new.ics"] = Route(body=FEED)
    result = fetch_feed(feed_server.url("/old.ics"), allowed_networks=LOCAL)
    assert result.body == FEED
    assert result.url == feed_server.url("/new.ics")


def test_a_redirect_loop_stops(feed_server):
    feed_server.routes["/loop.ics"] = Route(status=302, location="/loop.ics")
    with pytest.raises(FetchError, match="redirects too many times"):
        fetch_feed(feed_server.url("/loop.ics"), allowed_networks=LOCAL)


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (401, "private at this address"),
        (403, "private at this address"),
        (404, "Nothing is published"),
        (500, "500"),
    ],
)
def test_errors_are_told_in_words(feed_server, status, words):
    feed_server.routes["/cal.ics"] = Route(body=b"no", status=status)
    with pytest.raises(FetchError, match=words):
        fetch_feed(feed_server.url("/cal.ics"), allowed_networks=LOCAL)


def test_a_feed_over_the_size_cap_is_refused_even_when_compressed(feed_server):
    feed_server.routes["/big.ics"] = Route(body=b"X" * 3_000_000)
    feed_server.routes["/bomb.ics"] = Route(body=b"\0" * 3_000_000, gzip=True)
    for path in ("/big.ics", "/bomb.ics"):
        with pytest.raises(FetchError, match="larger than 1 MB"):
            fetch_feed(feed_server.url(path), allowed_networks=LOCAL, max_bytes=1024 * 1024)


def test_a_server_that_stalls_times_out(feed_server, monkeypatch):
    monkeypatch.setattr(fetch, "READ_TIMEOUT", 0.3)
    feed_server.routes["/slow.ics"] = Route(body=FEED, delay=2)
    with pytest.raises(FetchError, match="stopped sending|did not answer in time"):
        fetch_feed(feed_server.url("/slow.ics"), allowed_networks=LOCAL)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/cal.ics",
        "https://localhost/cal.ics",
        "https://10.1.2.3/cal.ics",
        "https://192.168.0.10/cal.ics",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/cal.ics",
        "webcal://0.0.0.0/cal.ics",
    ],
)
def test_private_and_local_addresses_are_refused(url):
    with pytest.raises(FetchError, match="private or local network"):
        fetch_feed(url)


def test_a_redirect_to_a_private_address_is_refused(feed_server):
    # The local test server is allowed; where it redirects is checked again, and refused.
    feed_server.routes["/hop.ics"] = Route(status=302, location="https://169.254.169.254/latest/")
    with pytest.raises(FetchError, match="private or local network"):
        fetch_feed(feed_server.url("/hop.ics"), allowed_networks=LOCAL)


def test_plain_http_is_refused_outside_the_allowed_networks(feed_server):
    feed_server.routes["/hop.ics"] = Route(status=302, location="http://93.184.215.14/cal.ics")
    with pytest.raises(FetchError, match="plain http:// is not safe"):
        fetch_feed(feed_server.url("/hop.ics"), allowed_networks=LOCAL)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://example.com/cal.ics", "plain http:// is not safe"),
        ("ftp://example.com/cal.ics", "https:// or webcal://"),
        ("calendar", "https:// or webcal://"),
        ("https://example.com:notaport/cal.ics", "port"),
    ],
)
def test_addresses_that_cannot_be_fetched_are_told_why(url, words):
    with pytest.raises(FetchError, match=words):
        fetch_feed(url)


def test_webcal_means_https():
    assert normalised("  webcal://p12-caldav.icloud.com/published/2/abc ") == (
        "https://p12-caldav.icloud.com/published/2/abc"
    )
