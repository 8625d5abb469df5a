"""Busy time read from feeds shaped like what Google, Outlook and iCloud export.

Each fixture in tests/calendars/feeds/ is paired here with the exact busy intervals (UTC) it must
give a mentor in Berlin over March 2027, a month with the US clock change (14 March), the
British and European one (28 March), recurring series with moved, removed and extra
occurrences, all-day events, floating times and events TheMentors wrote itself.
"""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from calendars.feeds import FeedError, busy_intervals, merged

FEEDS = Path(__file__).parent / "feeds"
BERLIN = ZoneInfo("Europe/Berlin")
UTC = ZoneInfo("UTC")
START = datetime(2027, 3, 8, tzinfo=UTC)
END = datetime(2027, 4, 1, tzinfo=UTC)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=UTC)


def busy(name: str, zone: ZoneInfo = BERLIN) -> list[tuple[datetime, datetime]]:
    return busy_intervals((FEEDS / name).read_bytes(), zone=zone, start=START, end=END)


def test_google_feed():
    assert busy("google.ics") == [
        # The weekly team sync at 09:00 New York: 14:00 UTC before the US change, 13:00 after.
        (utc(8, 14), utc(8, 15)),
        # The quick call in UTC; the cancelled call (11th) and TheMentors' own booking are not busy.
        (utc(12, 16), utc(12, 16, 30)),
        # The 15 March occurrence moved to Tuesday 14:00 New York (summer time).
        (utc(16, 18), utc(16, 19)),
        # 22 March was removed (EXDATE); the transparent all-day offsite is not busy.
        # An all-day event blocks the mentor's whole Berlin day, midnight to midnight.
        (utc(23, 23), utc(24, 23)),
        # Two all-day events over the European change: Berlin midnight is 23:00 UTC, then 22:00.
        (utc(26, 23), utc(28, 22)),
        (utc(29, 13), utc(29, 14)),
    ]


def test_outlook_feed_with_windows_zone_names():
    assert busy("outlook.ics") == [
        (utc(10, 9), utc(10, 10)),  # 10:00 "W. Europe Standard Time" in winter
        (utc(17, 13), utc(17, 14)),  # the Wednesday series; 24 March is excluded
        # 23:30 to 00:30 every night, across midnight and the clock change.
        (utc(27, 22, 30), utc(27, 23, 30)),
        (utc(28, 21, 30), utc(28, 22, 30)),
        (utc(29, 21, 30), utc(29, 22, 30)),
        (utc(31, 12), utc(31, 13)),  # the series' last Wednesday, in summer time
    ]


def test_icloud_feed_with_floating_times_durations_and_extra_dates():
    assert busy("icloud.ics") == [
        # The holiday began before the window: clipped at its start, ends at Berlin midnight.
        (utc(8, 0), utc(8, 23)),
        (utc(12, 14), utc(12, 15)),  # floating 15:00, read in the mentor's zone
        (utc(18, 9), utc(18, 10, 30)),  # 09:00 London with DURATION:PT1H30M
        # 01:30 to 03:30 Berlin on the night the clocks skip 02:00-03:00: one real hour.
        (utc(28, 0, 30), utc(28, 1, 30)),
        (utc(30, 8), utc(30, 9, 30)),  # the RDATE, 09:00 London summer time
    ]


def test_floating_times_follow_the_mentor_zone():
    tokyo = ZoneInfo("Asia/Tokyo")
    floating = busy("icloud.ics", zone=tokyo)[1]
    assert floating == (utc(12, 6), utc(12, 7))  # 15:00 in Tokyo


def test_only_the_window_is_expanded():
    data = b"\r\n".join(
        [
            b"BEGIN:VCALENDAR",
            b"VERSION:2.0",
            b"PRODID:-//test//EN",
            b"BEGIN:VEVENT",
            b"UID:forever@example.com",
            b"DTSTART:20000103T090000Z",
            b"DTEND:20000103T100000Z",
            b"RRULE:FREQ=DAILY",
            b"END:VEVENT",
            b"END:VCALENDAR",
            b"",
        ]
    )
    result = busy_intervals(data, zone=BERLIN, start=START, end=utc(10, 0))
    assert result == [(utc(8, 9), utc(8, 10)), (utc(9, 9), utc(9, 10))]


@pytest.mark.parametrize(
    "data",
    [b"<html><body>Sign in to see this calendar</body></html>", b"", b"BEGIN:VCARD\r\nEND:VCARD\r\n"],
)
def test_what_is_not_a_calendar_says_so(data):
    with pytest.raises(FeedError, match="did not return a calendar"):
        busy_intervals(data, zone=BERLIN, start=START, end=END)


def test_merged_joins_overlapping_and_touching_stretches():
    assert merged([(utc(9, 10), utc(9, 11)), (utc(9, 9), utc(9, 10)), (utc(9, 10, 30), utc(9, 12))]) == [
        (utc(9, 9), utc(9, 12))
    ]
