"""The offering page's slot picker: a month calendar opening on the first free day, the day's times
grouped and written in the viewer's clock, and the no-refund notice on times inside the window."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

import sessions.selectors
from mentors.models import DateOverride
from sessions import policy
from tests.factories import MentorFactory, OfferingFactory, UserFactory
from tests.sessions.helpers import NOW

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
HTMX = {"HX-Request": "true"}


def _page(client, offering, language="", **params):
    headers = {"Accept-Language": language} if language else {}
    return client.get(offering.get_absolute_url(), params, headers=headers)


@pytest.fixture
def july_only():
    """A mentor with no weekly hours and one evening of extra hours, six weeks ahead (next month)."""
    mentor = MentorFactory(weekdays=False)
    DateOverride.objects.create(
        mentor=mentor,
        date=date(2026, 7, 14),
        kind=DateOverride.Kind.EXTRA,
        start_time=time(18),
        end_time=time(19),
    )
    return OfferingFactory(mentor=mentor)


@time_machine.travel(NOW, tick=False)
def test_the_calendar_opens_on_the_first_day_with_a_free_time(client, july_only):
    response = _page(client, july_only)

    assert response.context["month"] == date(2026, 7, 1)
    assert response.context["day"] == date(2026, 7, 14)
    html = response.content.decode()
    assert "<caption>July 2026</caption>" in html
    assert 'data-date="2026-07-14" class="free" aria-selected="true"' in html
    assert "Free times on Tuesday 14 July" in html


@time_machine.travel(NOW, tick=False)
def test_days_without_free_times_are_disabled_and_not_links(client, july_only):
    html = _page(client, july_only, month="2026-07").content.decode()

    assert html.count('role="gridcell" data-date="2026-07-') == 31
    assert html.count('aria-disabled="true"') == 30
    assert 'data-date="2026-07-13" class="" aria-selected="false" aria-disabled="true">13</td>' in html
    assert "?day=2026-07-14" in html and "?day=2026-07-13" not in html


@time_machine.travel(NOW, tick=False)
def test_previous_and_next_month_are_htmx_partials_within_the_horizon(client, july_only):
    response = client.get(july_only.get_absolute_url(), {"month": "2026-06"}, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "<caption>June 2026 — no free times</caption>" in html
    assert "No free times in June." in html
    assert 'aria-label="Next month, July 2026"' in html and 'hx-get="/offerings/' in html
    assert "Previous month" not in html  # June is the current month

    july = client.get(july_only.get_absolute_url(), {"month": "2026-07"}, headers=HTMX).content.decode()
    assert 'aria-label="Previous month, June 2026"' in july
    assert "Next month" not in july  # the 60-day horizon ends in July

    beyond = client.get(july_only.get_absolute_url(), {"month": "2027-01"}, headers=HTMX)
    assert beyond.context["month"] == date(2026, 7, 1)
    assert client.get(july_only.get_absolute_url(), {"month": "nonsense"}).status_code == 200


@time_machine.travel(NOW, tick=False)
def test_the_month_is_one_run_of_the_slot_engine(client, offering, monkeypatch):
    calls = []
    engine = sessions.selectors.free_slots

    def counted(**kwargs):
        calls.append(kwargs)
        return engine(**kwargs)

    monkeypatch.setattr(sessions.selectors, "free_slots", counted)
    response = _page(client, offering, month="2026-06")

    assert len(calls) == 1
    assert len(response.context["weeks"]) == 5
    free = [c.day for week in response.context["weeks"] for c in week if c.free]
    assert free[0] == date(2026, 6, 1) and date(2026, 6, 6) not in free  # weekdays only
    assert len(free) == 22


@time_machine.travel(NOW, tick=False)
def test_times_are_grouped_by_part_of_the_viewers_day(client, offering):
    client.force_login(UserFactory(timezone="Asia/Tokyo"))  # 09:00-17:00 Berlin is 16:00-00:00 Tokyo
    response = _page(client, offering, day="2026-06-02")

    groups = {g.name: [v.label for v in g.slots] for g in response.context["slot_groups"]}
    assert list(groups) == ["Afternoon", "Evening"]
    assert groups["Afternoon"] == ["16:00", "16:15", "16:30", "16:45"]
    assert groups["Evening"][0] == "17:00" and groups["Evening"][-1] == "23:30"
    html = response.content.decode()
    assert ">Afternoon</h4>" in html and ">Evening</h4>" in html and ">Morning</h4>" not in html


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("language", "first", "last"),
    [
        ("en-US,en;q=0.9", "9:00 am", "4:30 pm"),
        ("en-GB,en;q=0.9", "09:00", "16:30"),
        ("de-DE,de;q=0.9", "09:00", "16:30"),
        ("fr", "09:00", "16:30"),
        ("", "09:00", "16:30"),
    ],
)
def test_times_follow_the_viewers_clock(client, offering, language, first, last):
    client.force_login(UserFactory(timezone="Europe/Berlin"))
    html = _page(client, offering, language, day="2026-06-02").content.decode()

    assert f">{first}</a>" in html and f">{last}</a>" in html


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("language", "first_column", "tuesday", "first_week"),
    [
        # July 2026 starts on a Wednesday. A German browser reads the page in German.
        ("en-US,en;q=0.9", "Sunday", "Tuesday", [None, None, None, 1, 2, 3, 4]),
        ("de-DE,de;q=0.9", "Montag", "Dienstag", [None, None, 1, 2, 3, 4, 5]),
        ("en-GB", "Monday", "Tuesday", [None, None, 1, 2, 3, 4, 5]),
        ("", "Monday", "Tuesday", [None, None, 1, 2, 3, 4, 5]),
    ],
)
def test_the_weeks_start_on_the_viewers_first_weekday(
    client, july_only, language, first_column, tuesday, first_week
):
    response = _page(client, july_only, language, month="2026-07")

    assert [d.day.day if d.day else None for d in response.context["weeks"][0]] == first_week
    html = response.content.decode()
    headers = html[html.index("<thead>") : html.index("</thead>")]
    short = first_column[:2]
    assert headers.index(f'abbr="{first_column}">{short}</th>') < headers.index(f'abbr="{tuesday}"')
    assert headers.count("columnheader") == 7
    # The days keep their dates whatever the column, so the keyboard grid moves by date.
    assert 'data-date="2026-07-14" class="free"' in html


def test_the_late_booking_notice_follows_the_free_cancellation_window():
    start = datetime(2026, 6, 2, 12, tzinfo=ZoneInfo("UTC"))
    notice = policy.late_booking_notice
    assert notice(start, window_hours=24, now=datetime(2026, 6, 1, 12, tzinfo=ZoneInfo("UTC"))) == ""
    assert (
        notice(start, window_hours=24, now=datetime(2026, 6, 2, 9, tzinfo=ZoneInfo("UTC")))
        == "Starts in 3 hours: cancelling will not be refunded"
    )
    assert notice(
        start, window_hours=24, now=datetime(2026, 6, 2, 11, 15, tzinfo=ZoneInfo("UTC"))
    ).startswith("Starts in 45 minutes:")
    assert notice(start, window_hours=2, now=datetime(2026, 6, 2, 9, tzinfo=ZoneInfo("UTC"))) == ""


@time_machine.travel(NOW, tick=False)  # 08:00 in Berlin
def test_a_time_inside_the_free_cancellation_window_says_so_before_paying(client):
    paid = OfferingFactory(price_amount=4500, cancellation_window_hours=24)
    client.force_login(UserFactory(timezone="Europe/Berlin"))

    today = _page(client, paid, day="2026-06-01")
    late = {v.label: v.late_notice for g in today.context["slot_groups"] for v in g.slots}
    assert late["09:00"] == "Starts in 1 hour: cancelling will not be refunded"
    assert late["16:30"] == "Starts in 8 hours: cancelling will not be refunded"
    assert 'data-late="Starts in 1 hour: cancelling will not be refunded"' in today.content.decode()

    tomorrow = _page(client, paid, day="2026-06-02")
    assert all(not v.late_notice for g in tomorrow.context["slot_groups"] for v in g.slots)  # 25 h ahead
    assert "cancelling will not be refunded" not in tomorrow.content.decode()

    slot = datetime(2026, 6, 1, 14, tzinfo=ZoneInfo("Europe/Berlin")).astimezone(ZoneInfo("UTC")).isoformat()
    chosen = _page(client, paid, day="2026-06-01", slot=slot).content.decode()
    button = chosen[chosen.index('<button class="btn" type="submit">') :]
    button = button[: button.index("</button>")]
    assert 'Continue to payment (<span id="pay-price">$45</span>)' in button  # a code's Apply updates it
    assert "Starts in 6 hours: cancelling will not be refunded" in button
    assert '<p class="late-warning" id="late-chosen">Starts in 6 hours' in chosen


@time_machine.travel(NOW, tick=False)
def test_a_free_offering_has_nothing_to_refund_and_no_notice(client, offering):
    html = _page(client, offering, day="2026-06-01").content.decode()
    assert "cancelling will not be refunded" not in html


@time_machine.travel(datetime(2027, 3, 1, 12, tzinfo=ZoneInfo("UTC")), tick=False)
def test_a_dst_month_keeps_the_mentors_wall_clock(client):
    """March 2027: New York moves its clocks on the 14th, Berlin on the 28th."""
    offering = OfferingFactory(
        mentor=MentorFactory(timezone="America/New_York", user__timezone="America/New_York")
    )

    client.force_login(UserFactory(timezone="America/New_York"))
    month = _page(client, offering, month="2027-03")
    free = {c.day for week in month.context["weeks"] for c in week if c.free}
    assert date(2027, 3, 12) in free and date(2027, 3, 14) not in free and date(2027, 3, 15) in free
    assert len(free) == 23  # every weekday, 1 to 31 March
    for day in ("2027-03-12", "2027-03-15"):
        first = _page(client, offering, "en-US", day=day).context["slot_groups"][0].slots[0]
        assert first.label == "9:00 am"

    client.force_login(UserFactory(timezone="Europe/Berlin"))
    shown = {
        day: _page(client, offering, "de", day=day).context["slot_groups"][0].slots[0].label
        for day in ("2027-03-12", "2027-03-15", "2027-03-29")
    }
    assert shown == {"2027-03-12": "15:00", "2027-03-15": "14:00", "2027-03-29": "15:00"}
