"""The booking widget on another site, in Chromium with third-party cookies blocked.

The site runs on http://localhost:<port> (pytest-django's live server); the mentor's own site is
a page served by `http.server` on http://127.0.0.1:<another port>: another site, so the widget's
frame is a third party there. Chromium is launched with `--test-third-party-cookie-phaseout`
(third-party cookies blocked, as Chrome's setting does); this Chromium's fresh profiles block them
already, so the test asserts it from inside the frame: no cookie kept, no storage access.

A visitor picks a session and a time in the frame, continues in the top window, signs in and
books. A page of a site the mentor did not list gets an empty frame: Chromium refuses it for the
frame-ancestors directive.
"""

import functools
import os
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from embed.models import Widget
from sessions.models import Booking
from tests.browser.checks import DESKTOP, PHONE
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.helpers import (
    OUTCOME,
    OUTCOME_LABEL,
    PASSWORD,
    PROMPTS,
    UTC,
    booking_day,
    clock,
    marketplace,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOKYO = ZoneInfo("Asia/Tokyo")
BLOCK_THIRD_PARTY_COOKIES = "--test-third-party-cookie-phaseout"
HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Greta's coaching</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>Greta's coaching</h1><p>Careers, offers and hard conversations. Book below.</p>
{snippet}
<p>Footer of Greta's own site.</p></body></html>
"""


PROBE = """async () => {
  document.cookie = "probe=1; SameSite=None; Secure; path=/";
  let local = "ok";
  try { window.localStorage.setItem("probe", "1"); } catch (e) { local = "denied"; }
  return {cookie: document.cookie, storage_access: await document.hasStorageAccess(), local_storage: local};
}"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def host_site(tmp_path):
    """Serve tmp_path on 127.0.0.1 at a free port; yields (origin, folder)."""
    servers = []

    def serve() -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(tmp_path)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield serve, tmp_path
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def browser_blocking_third_party_cookies(playwright):
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, BLOCK_THIRD_PARTY_COOKIES]
    )
    yield browser
    browser.close()


def _snippet(live_server_url: str, mentor) -> str:
    src = f"{live_server_url}{reverse('embed:home', args=[mentor.slug])}"
    return (
        f'<iframe src="{src}" title="Book a session with Greta" data-thementors-widget width="100%" '
        f'height="300"></iframe>\n<script src="{live_server_url}{reverse("embed:script")}" async></script>'
    )


def _widget_frame(page):
    return next(f for f in page.frames if "/embed/" in f.url)


def test_a_visitor_books_through_the_widget_on_the_mentor_s_site(
    live_server, site_url, host_site, browser_blocking_third_party_cookies
):
    serve, folder = host_site
    listed, unlisted = serve(), serve()
    mentor, offering = marketplace()
    Widget.objects.create(mentor=mentor, allowed_origins=[listed])
    UserFactory(email="mia@example.com", display_name="Mia Chen", timezone="Asia/Tokyo")
    (folder / "index.html").write_text(HOST_PAGE.format(snippet=_snippet(live_server.url, mentor)))
    slot = booking_day()
    local = slot.astimezone(TOKYO)

    context = browser_blocking_third_party_cookies.new_context(
        viewport=DESKTOP, timezone_id="Asia/Tokyo", locale="en-US"
    )
    page = context.new_page()
    console: list[str] = []
    errors: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{listed}/index.html")
    widget = page.frame_locator("iframe[data-thementors-widget]")
    expect(widget.get_by_role("heading", level=1)).to_have_text("Book a session with Greta Hoffmann")

    # Third-party cookies are blocked in this browser: the frame can neither keep a cookie nor
    # reach its storage (the same probe in a profile that allows them returns the cookie).
    probe = _widget_frame(page).evaluate(PROBE)
    assert probe == {"cookie": "", "storage_access": False, "local_storage": "denied"}, probe

    # The script sized the frame to its content (it was 300 px high in the snippet).
    frame = page.locator("iframe[data-thementors-widget]")
    expect(frame).not_to_have_attribute("style", re.compile(r"height: 300px"))
    expect(frame).to_have_attribute("style", re.compile(r"height: \d+px"))
    _shots(page, "host-page-widget")

    # The offering, the day, the time: in the frame, in the browser's zone.
    widget.get_by_role("link", name=f"Pick a time for {offering.title}").click()
    expect(widget.get_by_text("Times in your zone, Asia/Tokyo.")).to_be_visible()
    cell = widget.locator(f'td[data-date="{local:%Y-%m-%d}"]')
    if not cell.count():
        widget.get_by_role("link", name=re.compile("^Next month")).click()
    if cell.get_attribute("aria-selected") != "true":
        cell.get_by_role("link").click()
        expect(cell).to_have_attribute("aria-selected", "true")
    times = widget.get_by_role("list", name=f"Free times on {local:%A} {local.day} {local:%B}")
    link = times.get_by_role("link", name=clock(local), exact=True)
    expect(link).to_have_attribute(
        "href", re.compile(re.escape(quote(slot.astimezone(UTC).isoformat(), safe="")))
    )
    link.click()
    expect(widget.get_by_role("heading", name=re.compile("^Your session on"))).to_contain_text(clock(local))
    _shots(page, "host-page-widget-time")
    size = frame.bounding_box()["height"]
    inner = _widget_frame(page).evaluate("() => document.documentElement.getBoundingClientRect().height")
    assert abs(size - inner) <= 2, (size, inner)

    # On to the site itself, in the top window: sign in and book there.
    widget.get_by_role("link", name="Continue to book").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/offerings/{offering.slug}/\?day="))
    expect(page.get_by_role("heading", name=re.compile("^Your session on"))).to_contain_text(clock(local))
    page.get_by_role("link", name="Log in to book").click()
    page.get_by_label("Email").fill("mia@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=re.compile("^Your session on"))).to_contain_text(clock(local))
    page.get_by_label(OUTCOME_LABEL).fill(OUTCOME)
    for prompt in PROMPTS:
        page.get_by_label(prompt).fill("An answer")
    page.get_by_role("button", name="Confirm booking").click()
    expect(page).to_have_url(re.compile(r"/bookings/[0-9a-f-]{36}/\?confirmed=1$"))
    booking = Booking.objects.get()
    assert booking.mentee.email == "mia@example.com"
    assert booking.offering == offering
    assert booking.starts_at == slot
    assert not [m for m in console if "Content Security Policy" in m or "frame-ancestors" in m], console
    assert errors == []

    # A site the mentor did not list: Chromium refuses to show the widget in its frame.
    other = context.new_page()
    refused: list[str] = []
    other.on("console", lambda message: refused.append(message.text))
    other.goto(f"{unlisted}/index.html")
    expect(other.get_by_role("heading", level=1)).to_have_text("Greta's coaching")
    for _ in range(50):
        if any("frame-ancestors" in m for m in refused):
            break
        other.wait_for_timeout(100)
    assert any("frame-ancestors" in m and listed in m for m in refused), refused
    framed = [f for f in other.frames if f != other.main_frame]
    assert framed
    assert "Book a session with" not in framed[0].content()
    context.close()


def test_the_mentor_lists_their_site_and_sees_the_preview(live_server, site_url, page):
    mentor, offering = marketplace()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(mentor.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}{reverse('embed:mentor_widget')}")
    expect(page.locator("#widget-off")).to_contain_text("switched off everywhere")
    sites = page.get_by_label("Sites that may show your widget")
    sites.fill("https://greta.example/coaching")
    page.get_by_role("button", name="Save").click()
    expect(sites).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field .errorlist")).to_contain_text("without a path")
    sites.fill("https://greta.example")
    page.get_by_label("Accent colour").select_option("teal")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your widget settings are saved.")).to_be_visible()
    assert Widget.objects.get(mentor=mentor).allowed_origins == ["https://greta.example"]
    snippet = page.get_by_label("HTML to paste").input_value()
    assert f"{live_server.url}/embed/{mentor.slug}/" in snippet
    preview = page.frame_locator("iframe.widget-preview-frame")
    expect(preview.get_by_role("link", name=offering.title, exact=True)).to_be_visible()
    preview.get_by_role("link", name=f"Pick a time for {offering.title}").click()
    expect(preview.get_by_role("heading", name="Pick a time")).to_be_visible()
    _shots(page, "mentor-widget-page")


def _shots(page, name: str) -> None:
    """SHOTS_DIR=/some/folder: the page at 1280 and 390 px wide, as tall as its content (a full-page
    screenshot leaves a frame below the first screen unpainted)."""
    folder = os.environ.get("SHOTS_DIR")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for width, viewport in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        page.wait_for_timeout(500)
        height = page.evaluate("() => document.documentElement.scrollHeight")
        page.set_viewport_size({"width": viewport["width"], "height": min(height, 4000)})
        page.wait_for_timeout(500)
        page.screenshot(path=f"{folder}/{name}-{width}.png")
    page.set_viewport_size(size)
    page.wait_for_timeout(300)
