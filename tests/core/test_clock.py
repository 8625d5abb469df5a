"""How the viewer reads times and weeks, from their browser's first language."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from core.clock import clock_label, first_weekday, uses_twelve_hour_clock, viewer_clock


@pytest.mark.parametrize(
    ("header", "twelve"),
    [
        ("en-US", True),
        ("en", True),
        ("en-IN,hi", True),
        ("en-GB", False),
        ("de", False),
        ("fr-CA", True),
        ("*", False),
        ("", False),
    ],
)
def test_the_first_language_decides_the_clock(header, twelve):
    assert uses_twelve_hour_clock(header) is twelve


def test_twelve_hour_labels():
    at = datetime(2026, 6, 2, 0, 5)
    assert clock_label(at, twelve_hour=True) == "12:05 am"
    assert clock_label(at.replace(hour=12), twelve_hour=True) == "12:05 pm"
    assert clock_label(at.replace(hour=14, minute=30), twelve_hour=True) == "2:30 pm"
    assert clock_label(at.replace(hour=14, minute=30), twelve_hour=False) == "14:30"


SUNDAY, MONDAY, SATURDAY = 6, 0, 5


@pytest.mark.parametrize(
    ("header", "weekday"),
    [
        ("en-US,en;q=0.9", SUNDAY),
        ("en", SUNDAY),  # a bare language reads as its likeliest region (en -> US)
        ("de", MONDAY),
        ("de-DE,de;q=0.9", MONDAY),
        ("en-GB", MONDAY),
        ("fr", MONDAY),
        ("ar-EG", SATURDAY),
        ("", MONDAY),
        ("*", MONDAY),
        ("xx-YY", MONDAY),  # unknown: Monday, the ISO week
        ("en-\x00", MONDAY),
        ("i-klingon", MONDAY),
    ],
)
def test_the_week_starts_on_the_locales_first_day(header, weekday):
    assert first_weekday(header) == weekday


def _render(source: str, language: str, **context) -> str:
    request = RequestFactory().get("/", headers={"Accept-Language": language} if language else {})
    return Template("{% load product %}" + source).render(Context({"request": request, **context}))


def test_the_clock_tag_writes_times_in_the_viewers_clock_and_the_pages_zone(settings):
    at = datetime(2026, 3, 30, 12, 30, tzinfo=ZoneInfo("UTC"))
    berlin = ZoneInfo("Europe/Berlin")
    assert _render("{% clock at %}", "en-US", at=at, zone=berlin) == "12:30 pm"  # the active zone: UTC
    assert _render("{% clock at %}", "de", at=at) == "12:30"
    assert _render('{% clock at "D j M" zone %}', "en-US", at=at, zone=berlin) == "Mon 30 Mar, 2:30 pm"
    assert _render('{% clock at "D j M" zone %}', "en-GB", at=at, zone=berlin) == "Mon 30 Mar, 14:30"
    assert _render("{% clock missing %}", "en-US") == ""


def test_the_viewers_clock_is_worked_out_once_per_request():
    request = RequestFactory().get("/", headers={"Accept-Language": "en-US"})
    first = viewer_clock(request)
    request.META["HTTP_ACCEPT_LANGUAGE"] = "de"
    assert viewer_clock(request) is first and first.twelve_hour and first.first_weekday == SUNDAY
