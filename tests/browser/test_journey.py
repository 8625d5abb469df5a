"""Discovering a mentor, booking a session and closing it, end to end in a real browser, on
the product's real pages.

A new mentee signs up, verifies the e-mail, finds a Berlin mentor by skill, books a free
micro-session seen in New York time, gets the .ics; after the session the mentor closes it
with an action item, the mentee marks it done and reviews, and the profile shows the figures.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from playwright.sync_api import Page, expect

from sessions.models import Booking
from tests.browser.checks import SCREENS, is_phone, menu_link, open_filters
from tests.browser.helpers import (
    NEW_YORK,
    OUTCOME,
    OUTCOME_LABEL,
    PROMPTS,
    UTC,
    booking_day,
    clock,
    log_in,
    marketplace,
    pick_slot,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWERS = ["Stay at Initech or join Acme as staff engineer", "Learning from people better than me"]
MIA = "mia@example.com"
ACTION_ITEM = "Write the pros and cons list and send it to Acme's recruiter"


@SCREENS
def test_mentee_books_and_follows_up_and_mentor_closes(
    live_server, site_url, page: Page, new_context, check, screen
):
    mentor, offering = marketplace()
    base = live_server.url
    slot = booking_day()
    assert slot.astimezone(NEW_YORK).date() == slot.date()

    # --- sign up (the browser says Asia/Tokyo; the mentee picks New York explicitly) ------
    page.goto(f"{base}/accounts/signup/")
    # Pre-filled from the browser's zone (see tests/browser/helpers.py, BROWSER_TIMEZONE).
    expect(page.get_by_label("Time zone")).to_have_value("Asia/Tokyo")
    check(page, "signup")
    page.get_by_label("Email").fill("not an address")
    page.get_by_label(re.compile(r"^Password:?$")).fill("short")
    page.get_by_label(re.compile(r"^Password \(again\):?$")).fill("different")
    page.get_by_label("Email").evaluate("el => { el.form.noValidate = true }")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    check(page, "signup-errors")
    page.get_by_label("Email").fill(MIA)
    page.get_by_label("Your name").fill("Mia Chen")
    page.get_by_label("Time zone").select_option("America/New_York")
    page.get_by_label(re.compile(r"^Password:?$")).fill("a-long-unusual-passphrase-42")
    page.get_by_label(re.compile(r"^Password \(again\):?$")).fill("a-long-unusual-passphrase-42")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verify")
    check(page, "verify-email")

    (verification,) = [m for m in mail.outbox if MIA in m.to]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", verification.body).group(0)
    assert link.startswith(base)
    page.goto(link)
    check(page, "confirm-email")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Mia Chen")
    check(page, "dashboard-new-mentee")

    # --- Discover: the directory, filtered by skill through htmx -------------------------------------
    page.goto(f"{base}/mentors/")
    assert page.evaluate("typeof htmx") == "object", "htmx did not load (static files?)"
    results = page.locator("#results")
    expect(results).to_contain_text("2 mentors")
    open_filters(page)
    with page.expect_response(
        lambda r: "/mentors/?" in r.url and r.request.headers.get("hx-request") == "true"
    ) as htmx_response:
        page.get_by_label("Skill").select_option(label="Python")
    assert htmx_response.value.ok
    expect(results).to_contain_text("1 mentor")
    expect(page).to_have_url(re.compile(r"/mentors/\?.*skill=python"))  # hx-push-url
    expect(results.get_by_role("link", name="Dora Lindqvist")).to_have_count(0)
    if is_phone(page):  # results first: the filters fold away again
        page.get_by_role("button", name="Filters").click()
    check(page, "directory", doc=True)
    results.get_by_role("link", name="Greta Hoffmann").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Greta Hoffmann")
    check(page, "profile")
    page.get_by_role("link", name="Should I take this job offer?").first.click()

    # --- Book: pick a day and a slot in New York time, write the pre-work, confirm -------------
    expect(page.get_by_role("heading", level=1)).to_have_text("Should I take this job offer?")
    expect(page.locator("#panel")).to_contain_text("America/New_York")
    check(page, "offering-calendar")
    label = pick_slot(page, slot)
    assert label == clock(slot.astimezone(NEW_YORK)) and label in ("4:00 am", "5:00 am")
    expect(page).to_have_url(re.compile(r"slot="))  # the picker pushed the chosen slot
    page.get_by_label(OUTCOME_LABEL).fill(OUTCOME)
    page.get_by_label(PROMPTS[0]).fill(ANSWERS[0])
    page.get_by_label(PROMPTS[1]).fill(ANSWERS[1])
    page.get_by_label("Context notes").fill("Acme wants an answer by Friday.")
    check(page, "offering", doc=True)
    page.get_by_role("button", name="Confirm booking").click()

    # --- the confirmation: what, when in both zones, join, calendar, pre-work, what comes next ---
    expect(page).to_have_url(re.compile(r"/bookings/[0-9a-f-]{36}/\?confirmed=1$"))
    booking = Booking.objects.get()
    assert booking.starts_at == slot and booking.state == Booking.State.CONFIRMED
    assert page.url == f"{base}/bookings/{booking.pk}/?confirmed=1"
    expect(page.locator("h1 + .badge")).to_have_text("Confirmed")
    done = page.locator("#confirmation")
    expect(done.get_by_role("heading", name="You're booked")).to_be_visible()
    expect(done).to_contain_text("We've e-mailed you the details and a calendar file.")
    expect(done).to_contain_text("Should I take this job offer?")
    wall = clock(slot.astimezone(NEW_YORK))  # the browser's en-US clock: "4:00 am"
    expect(done).to_contain_text(f"{wall}–")  # "When" in New York time
    expect(done).to_contain_text(f"{clock(slot)} for Greta Hoffmann (Europe/Berlin)")  # and hers
    expect(done.get_by_role("link", name=booking.join_url)).to_be_visible()
    expect(done).to_contain_text("Opens 15 minutes before the start")
    expect(done.get_by_role("link", name="Google Calendar")).to_have_attribute(
        "href", re.compile(r"^https://calendar\.google\.com/calendar/render\?action=TEMPLATE")
    )
    expect(done.get_by_role("link", name="Outlook")).to_have_attribute(
        "href", re.compile(r"^https://outlook\.live\.com/calendar/")
    )
    expect(done.get_by_role("link", name="Download .ics")).to_be_visible()
    expect(done).to_contain_text("Your pre-work is done")
    expect(done).to_contain_text("We e-mail you a reminder with the join link.")
    expect(done).to_contain_text("closes it with one action item for you")
    expect(done).to_contain_text("Nothing: this session is free")
    check(page, "confirmation", doc=True)

    main = page.locator("main")
    expect(main).to_contain_text(f"By the end I will have {OUTCOME}")
    for prompt, answer in zip(PROMPTS, ANSWERS, strict=True):
        expect(page.get_by_role("heading", name=prompt)).to_be_visible()
        expect(main).to_contain_text(answer)
    expect(main).to_contain_text("Acme wants an answer by Friday.")
    page.goto(f"{base}/bookings/{booking.pk}/")  # the booking page itself, later
    expect(page.locator("#confirmation")).to_have_count(0)
    expect(main).to_contain_text(f"{wall}–")
    check(page, "booking", doc=True)

    confirmation = [m for m in mail.outbox if m.subject.startswith("Booked:") and m.to == [MIA]]
    assert len(confirmation) == 1 and confirmation[0].attachments[0][0] == "session.ics"
    assert f"{base}/bookings/{booking.pk}/" in confirmation[0].body

    # --- dashboard and the .ics download --------------------------------------------------
    menu_link(page, "Dashboard").click()
    upcoming = page.locator(".card", has=page.get_by_role("link", name=offering.title))
    expect(upcoming).to_contain_text(f"with Greta Hoffmann · {slot.astimezone(NEW_YORK):%a} ")
    expect(upcoming).to_contain_text(wall)
    check(page, "dashboard-mentee")
    with page.expect_download() as download_info:
        upcoming.get_by_role("link", name=".ics").click()
    download = download_info.value
    assert download.suggested_filename == f"session-{booking.starts_at:%Y%m%d}.ics"
    ics = Path(download.path()).read_text(encoding="utf-8")
    assert "BEGIN:VEVENT" in ics
    assert f"DTSTART:{slot.astimezone(UTC):%Y%m%dT%H%M%SZ}" in ics

    # --- time passes ------------------------------------------------------------------------
    # time_machine swaps the C-level clock functions for the whole process, so the live
    # server's thread sees the new time too (the mentor's "Waiting to be closed" list below
    # is computed from timezone.now() in that thread, and proves it). tick=True keeps the
    # clock moving so sessions, CSRF and message cookies behave normally; time.monotonic is
    # left alone, so Playwright's timeouts are unaffected.
    with time_machine.travel(booking.ends_at + timedelta(minutes=5), tick=True):
        # --- Close: the mentor closes the session (second browser context) ----------------------
        mentor_page = new_context().new_page()
        log_in(mentor_page, base, "greta@example.com")
        waiting = mentor_page.locator(".card", has_text="record the action item")
        expect(waiting).to_contain_text("Should I take this job offer? with Mia Chen")
        check(mentor_page, "mentor-dashboard", doc=True)
        waiting.get_by_role("link").click()
        expect(mentor_page).to_have_url(f"{base}/bookings/{booking.pk}/")
        mentor_main = mentor_page.locator("main")
        for answer in ANSWERS:
            expect(mentor_main).to_contain_text(answer)
        expect(mentor_main).to_contain_text(f"{clock(slot)}–")  # the mentor sees Berlin time
        due = (slot + timedelta(days=7)).date()
        mentor_page.get_by_label("The one action item").fill(ACTION_ITEM)
        mentor_page.get_by_label("Due date").fill(due.isoformat())
        check(mentor_page, "mentor-closing")
        mentor_page.get_by_role("button", name="Close with this action item").click()
        expect(mentor_main).to_contain_text("Session closed.")
        expect(mentor_page.locator("h1 + .badge")).to_have_text("Completed")
        check(mentor_page, "mentor-closed")

        # --- the mentee follows up -----------------------------------------------------------
        page.goto(f"{base}/dashboard/")
        open_item = page.locator(".card", has_text=ACTION_ITEM)
        expect(open_item).to_contain_text(f"due {due:%a} {due.day} {due:%b}")
        check(page, "dashboard-action-item")
        page.goto(f"{base}/bookings/{booking.pk}/")
        expect(page.get_by_role("heading", name="Action item")).to_be_visible()
        expect(main).to_contain_text(ACTION_ITEM)
        page.get_by_role("button", name="Mark as done").click()
        expect(main).to_contain_text("Nice work — marked as done.")
        expect(page.get_by_role("button", name="Mark as not done")).to_be_visible()
        check(page, "booking-to-review")
        page.get_by_label("5 ★").check()
        page.get_by_label("Review", exact=True).fill("Clear, kind and to the point.")
        page.get_by_role("button", name="Post review").click()
        expect(main).to_contain_text("Thanks for your review.")
        expect(page.get_by_label("5 out of 5")).to_be_visible()
        check(page, "booking-reviewed")

        page.goto(f"{base}/dashboard/")
        expect(page.get_by_text("No open action items.")).to_be_visible()

        # --- the mentor's public profile shows the outcome -------------------------------------
        page.goto(f"{base}{mentor.get_absolute_url()}")
        profile = page.locator("main")
        expect(profile).to_contain_text("5.0 from 1 review")
        expect(profile).to_contain_text("100% of action items done")
        expect(profile).to_contain_text("Clear, kind and to the point.")
        check(page, "profile-reviewed")


@SCREENS
def test_booking_form_answers_bad_input_next_to_the_field(live_server, page: Page, check, screen):
    _, offering = marketplace()
    UserFactory(email="noah@example.com", display_name="Noah Park", timezone="America/New_York")
    base = live_server.url
    log_in(page, base, "noah@example.com")
    page.goto(f"{base}{offering.get_absolute_url()}")
    pick_slot(page, booking_day())

    form = page.locator(f'form[action="/offerings/{offering.slug}/book/"]')
    # Every visible control of the booking form has a <label> naming it.
    controls = form.locator("input:not([type=hidden]), textarea, select")
    expect(controls).to_have_count(6)  # outcome, two pre-work answers, context notes, links, weeks
    for i in range(controls.count()):
        control = controls.nth(i)
        labels = control.evaluate("el => Array.from(el.labels, l => l.textContent.trim())")
        assert labels and all(labels), f"{control.get_attribute('name')} has no <label>"
        # Help text and errors are announced with the control: every id it points at exists.
        dangling = control.evaluate(
            "el => (el.getAttribute('aria-describedby') || '').split(/\\s+/)"
            ".filter(id => id && !document.getElementById(id))"
        )
        assert not dangling, f"{control.get_attribute('name')}: aria-describedby -> {dangling}"
    for text in [OUTCOME_LABEL, *PROMPTS, "Context notes", "Links (one per line)"]:
        expect(form.get_by_label(text, exact=True)).to_have_count(1)

    outcome = form.get_by_label(OUTCOME_LABEL)
    form.get_by_label(PROMPTS[0]).fill(ANSWERS[0])
    form.get_by_label(PROMPTS[1]).fill(ANSWERS[1])
    submit = form.get_by_role("button", name="Confirm booking")

    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

    # The browser's own check stops the empty outcome first: focus jumps to it, nothing is sent.
    submit.click()
    expect(outcome).to_be_focused()
    assert outcome.evaluate("el => el.validity.valueMissing")
    assert posts == []

    # ...and without it (old browser, or a crafted request) the server answers next to the field.
    form.evaluate("f => { f.noValidate = true }")
    outcome.fill("   ")  # only spaces: the browser would accept it, the form must not
    with page.expect_response(lambda r: r.url.endswith(f"/offerings/{offering.slug}/book/")) as sent:
        submit.click()
    assert sent.value.status == 400
    field = page.locator(".field", has=page.get_by_label(OUTCOME_LABEL))
    expect(field.get_by_role("alert")).to_have_text("This field is required.")
    outcome = page.get_by_label(OUTCOME_LABEL)
    expect(outcome).to_have_attribute("aria-invalid", "true")
    expect(outcome).to_have_accessible_description(re.compile("This field is required."))
    # What the mentee already wrote is kept, and nothing was half-saved.
    expect(page.get_by_label(PROMPTS[0])).to_have_value(ANSWERS[0])
    assert Booking.objects.count() == 0
    check(page, "booking-form-errors")
