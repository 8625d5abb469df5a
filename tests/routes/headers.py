"""Hostile headers and cookies: the time-zone cookie, X-Forwarded-For behind 0–2 trusted proxies,
htmx's HX-* headers, Accept-Language, Referer…, oversized, and as bytes that are not UTF-8 (read
as latin-1, as a WSGI server hands them over)."""

from __future__ import annotations

from django.test import Client
from hypothesis import strategies as st

from tests.routes.bodies import urlencoded
from tests.routes.values import ALPHABET, EVERYTHING, NUL, URLS

# What a WSGI server puts in META is the header's bytes read as latin-1: text a browser sent as
# UTF-8 arrives as its bytes (`as_meta`), and bytes that are not UTF-8 at all arrive as they are.
NOT_UTF8 = ["\xff\xfe", "\xc3(", "\xed\xa0\x80", "caf\xe9", "\x80" * 10, "Asia/T\xf6ky\xf6"]
ZONE_COOKIES = [
    "America",  # folders of tzdata
    "Etc",
    "Australia",
    "x" * 300,
    "Asia/Tokyo",
    "Asia%2FTokyo",  # as static/js/timezone.js writes it
    "Asia%2F",
    "%",
    "%zz",
    "%FF%FE",
    "Asia%2FTokyo%00",
    "..%2F..%2F..%2Fetc%2Fpasswd",
    "/etc/localtime",
    "Etc/GMT+5",
    "posixrules",
    '"Asia/Tokyo"',
    "UTC",
]
FORWARDED = [
    "not-an-ip",
    "999.1.1.1",
    "",
    ",",
    " , ,",
    "203.0.113.9",
    "203.0.113.9, not-an-ip",
    "not-an-ip, 203.0.113.9",
    "198.51.100.1, 203.0.113.9",
    "2001:db8::1",
    "[2001:db8::1]:443",
    "[2001:db8::1",
    "[::1]x",
    "203.0.113.9:99999",
    "203.0.113.9:",
    "unknown",
    "203.0.113.9" + "0" * 5000,
    "x" * 10_000,
    ", ".join(["203.0.113.9"] * 500),
]
HTMX_FLAGS = ["true", "false", "", "TRUE", "1", "null"]
HTMX_IDS = ["panel", "#panel", "slots", "", NUL, "<script>", "x" * 5000]
PAGE_URLS = URLS + [
    "http://testserver/",
    "http://[::1",
    "http://testserver/" + "a" * 5000,
    "/relative?x=1#y",
    "%zz",
    "http://testserver/%E2%80%AE",
]
LANGUAGES = [
    "*",
    "en-US,en;q=0.9",
    "zz",
    "de-DE-u-co-phonebk;q=abc",
    ";q=",
    "en;q=1e999",
    "*;q=0",
    "ar-EG,ar;q=0.9,he;q=0.8",
    "en-" * 500,
    "x" * 10_000,
]
HEADERS = {
    "X-Forwarded-For": FORWARDED,
    "HX-Request": HTMX_FLAGS,
    "HX-Boosted": HTMX_FLAGS,
    "HX-History-Restore-Request": HTMX_FLAGS,
    "HX-Target": HTMX_IDS,
    "HX-Trigger": HTMX_IDS,
    "HX-Trigger-Name": HTMX_IDS,
    "HX-Prompt": HTMX_IDS,
    "HX-Current-URL": PAGE_URLS,
    "HX-Current-URL-URI-AutoEncoded": HTMX_FLAGS,
    "Accept-Language": LANGUAGES,
    "Referer": PAGE_URLS,
    "Origin": ["null", "http://evil.example", "", "http://testserver"],
    "Accept": ["*/*", "text/html", "application/json", "text/event-stream", ""],
    "User-Agent": ["", "Mozilla/5.0", "x" * 10_000],
    "X-Request-ID": ["", "abc-123", "x" * 65, "a b", NUL],
    "X-Forwarded-Proto": ["https", "http", "https, http", "", "HTTPS"],
    "Host": ["testserver", "evil.example", "", "testserver:99999", "[::1", "testserver:80:80", "x" * 300],
    # Each part hostile on its own: a number where the timestamp goes, hex where the signature does.
    "Stripe-Signature": [
        f"{t}{v}"
        for t in ["t=1700000000,", "t=١٢٣,", "", "t=" + "9" * 5000 + ","]
        for v in ["v1=" + "ab" * 32, "v1=\xe9\xe9", f"v1={NUL}", "v0=abc"]
    ],
}
COOKIES = {
    "tz": ZONE_COOKIES,
    "messages": ["", "garbage", "W10:1abc:xyz", "x" * 4000],
    "csrftoken": ["", "short", "x" * 64, NUL],
}


def as_meta(text: str) -> str:
    """The header as a server hands it to Django: its UTF-8 bytes read as latin-1, without the
    line breaks a server would have refused."""
    return text.encode("utf-8", "surrogatepass").decode("latin-1").replace("\r", "").replace("\n", "")


@st.composite
def header_value(draw, specific: list[str]) -> str:
    """Half the time a value made for this header, else any hostile text or bytes."""
    kind = draw(st.sampled_from(["specific"] * 3 + ["hostile", "text", "not UTF-8"]))
    if kind == "specific" and specific:
        return as_meta(draw(st.sampled_from(specific)))
    if kind == "not UTF-8":
        return draw(st.sampled_from(NOT_UTF8))
    if kind == "text":
        return as_meta(draw(st.text(ALPHABET, max_size=40)))
    return as_meta(draw(st.sampled_from(EVERYTHING)))


@st.composite
def hostile_requests(draw, always: tuple[str, ...] = ()) -> dict:
    """A few hostile headers (`always` among them), hostile cookies (the zone's most often), and
    how many proxies the site trusts."""
    names = draw(st.lists(st.sampled_from(sorted(HEADERS)), min_size=1, max_size=6, unique=True))
    names += [name for name in always if name not in names]
    cookies = draw(st.sampled_from([["tz"], ["tz"], [], ["tz", "messages", "csrftoken"], ["messages"]]))
    stranger = []
    if draw(st.integers(0, 2)) == 0:  # a cookie of nobody's, named as hostilely as it is valued
        stranger = [(draw(header_value([])), draw(header_value([])))]
    return {
        "headers": {name: draw(header_value(HEADERS[name])) for name in names},
        "cookies": [(name, draw(header_value(COOKIES[name]))) for name in cookies] + stranger,
        "proxies": draw(st.sampled_from([0, 1, 2])),
    }


def send_hostile(client: Client, method: str, url: str, body: dict, sent: dict):
    """The request with the hostile headers, its cookies appended to the client's own (its
    session) in one raw Cookie header, as a browser would send them."""
    own = [f"{name}={morsel.coded_value}" for name, morsel in client.cookies.items()]
    cookie = "; ".join(own + [f"{name}={value}" for name, value in sent["cookies"]])
    if method == "get":
        return client.get(url, headers=sent["headers"], HTTP_COOKIE=cookie)
    return client.post(
        url,
        urlencoded(body),
        content_type="application/x-www-form-urlencoded",
        headers=sent["headers"],
        HTTP_COOKIE=cookie,
    )
