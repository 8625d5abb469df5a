"""The slot engine as a pure function: plain values in, UTC start times out, no database."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentors.slots import Busy, Rules, Window, free_slots
from sessions.selectors import day_bounds

UTC = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")

NINE_TO_FIVE = (Window(time(9), time(17)),)
WEEKDAYS = {weekday: NINE_TO_FIVE for weekday in range(5)}
EVERY_DAY = {weekday: NINE_TO_FIVE for weekday in range(7)}
# Long before every date below, with a horizon that reaches past all of them.
EARLY = datetime(2026, 1, 1, tzinfo=UTC)

MONDAY = date(2026, 6, 1)
TUESDAY = date(2026, 6, 2)
WEDNESDAY = date(2026, 6, 3)
SATURDAY = date(2026, 6, 6)


def make_rules(
    *,
    zone=BERLIN,
    weekly=None,
    extra=None,
    days_off=(),
    buffer_before=0,
    buffer_after=0,
    minimum_notice=timedelta(0),
    horizon=timedelta(days=400),
    max_per_day=24,
) -> Rules:
    return Rules(
        zone=zone,
        weekly=WEEKDAYS if weekly is None else weekly,
        extra=extra or {},
        days_off=frozenset(days_off),
        buffer_before=timedelta(minutes=buffer_before),
        buffer_after=timedelta(minutes=buffer_after),
        minimum_notice=minimum_notice,
        horizon=horizon,
        max_per_day=max_per_day,
    )


def slots_between(rules, start, end, *, busy=(), minutes=30, now=EARLY) -> list[datetime]:
    return free_slots(
        rules=rules,
        busy=list(busy),
        duration=timedelta(minutes=minutes),
        now=now,
        window_start=start,
        window_end=end,
    )


def slots_on(day: date, rules: Rules, *, viewer: ZoneInfo | None = None, **kwargs) -> list[datetime]:
    """The slots of one calendar day of the viewer (the mentor's own zone unless given)."""
    start, end = day_bounds(day, viewer or rules.zone)
    return slots_between(rules, start, end, **kwargs)


def at(day: date, hour: int, minute: int = 0, zone: ZoneInfo = BERLIN) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def wall(slots, zone: ZoneInfo = BERLIN) -> list[str]:
    return [s.astimezone(zone).strftime("%H:%M") for s in slots]


def quarter_hours(first: str, last: str) -> list[str]:
    """'09:00'..'10:30' -> every quarter-hour label in between, both ends included."""
    h, m = map(int, first.split(":"))
    moment = datetime(2000, 1, 1, h, m)
    labels = []
    while moment.strftime("%H:%M") != last:
        labels.append(moment.strftime("%H:%M"))
        moment += timedelta(minutes=15)
    return [*labels, last]


def busy(day: date, start: str, end: str, zone: ZoneInfo = BERLIN, **kwargs) -> Busy:
    (sh, sm), (eh, em) = (map(int, start.split(":")), map(int, end.split(":")))
    return Busy.between(at(day, sh, sm, zone), at(day, eh, em, zone), **kwargs)


# --- the grid and the weekly windows ------------------------------------------------------------


def test_slots_are_utc_quarter_hours_inside_the_mentors_local_window():
    slots = slots_on(TUESDAY, make_rules())

    assert wall(slots) == quarter_hours("09:00", "16:30")
    assert all(s.tzinfo == UTC for s in slots)
    assert all(s.minute % 15 == 0 and s.second == 0 and s.microsecond == 0 for s in slots)
    assert slots == sorted(set(slots))
    for s in slots:
        assert at(TUESDAY, 9) <= s and s + timedelta(minutes=30) <= at(TUESDAY, 17)


def test_days_without_a_weekly_rule_have_no_slots():
    week = slots_between(make_rules(), at(MONDAY, 0), at(MONDAY + timedelta(days=7), 0))

    days = sorted({s.astimezone(BERLIN).date() for s in week})
    assert days == [MONDAY + timedelta(days=i) for i in range(5)]
    assert slots_on(SATURDAY, make_rules()) == []


def test_a_window_off_the_grid_starts_at_the_next_quarter_hour():
    rules = make_rules(weekly={1: (Window(time(9, 10), time(10, 5)),)})

    assert wall(slots_on(TUESDAY, rules)) == ["09:15", "09:30"]


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (15, ["09:00", "09:15", "09:30", "09:45"]),
        (30, ["09:00", "09:15", "09:30"]),
        (45, ["09:00", "09:15"]),
        (60, ["09:00"]),
    ],
)
def test_a_session_that_would_run_past_the_end_of_the_window_is_not_offered(minutes, expected):
    rules = make_rules(weekly={1: (Window(time(9), time(10)),)})

    assert wall(slots_on(TUESDAY, rules, minutes=minutes)) == expected


def test_a_window_shorter_than_the_session_offers_nothing():
    rules = make_rules(weekly={1: (Window(time(9), time(9, 45)),)})

    assert slots_on(TUESDAY, rules, minutes=60) == []


def test_start_times_lie_in_the_half_open_window_asked_for():
    rules = make_rules()

    slots = slots_between(rules, at(TUESDAY, 10), at(TUESDAY, 11))

    # 11:00 is the window's end, so it is not a start time; 10:45 may run past it.
    assert wall(slots) == ["10:00", "10:15", "10:30", "10:45"]


# --- daylight saving time -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "first_utc"),
    [
        # Last Sunday of March 2026: 02:00 CET -> 03:00 CEST.
        (date(2026, 3, 27), "08:00"),
        (date(2026, 3, 28), "08:00"),
        (date(2026, 3, 29), "07:00"),
        (date(2026, 3, 30), "07:00"),
        # Last Sunday of October 2026: 03:00 CEST -> 02:00 CET.
        (date(2026, 10, 24), "07:00"),
        (date(2026, 10, 25), "08:00"),
        (date(2026, 10, 26), "08:00"),
    ],
)
def test_a_berlin_mentor_keeps_nine_to_five_local_across_the_eu_clock_changes(day, first_utc):
    slots = slots_on(day, make_rules(weekly=EVERY_DAY))

    assert wall(slots) == quarter_hours("09:00", "16:30")
    assert wall(slots[:1], UTC) == [first_utc]


@pytest.mark.parametrize(
    ("day", "first", "last", "hours_apart"),
    [
        # Both zones on winter time: Berlin is 6 h ahead.
        (date(2026, 3, 6), "03:00", "10:30", 6),
        # The US changes on 8 Mar (a 23-hour day in New York), the EU only on 29 Mar:
        # for three weeks Berlin is 5 h ahead and the mentor's 09:00 is 04:00 in New York.
        (date(2026, 3, 8), "04:00", "11:30", 5),
        (date(2026, 3, 17), "04:00", "11:30", 5),
        (date(2026, 3, 28), "04:00", "11:30", 5),
        (date(2026, 3, 29), "03:00", "10:30", 6),
        (date(2026, 3, 31), "03:00", "10:30", 6),
        (date(2026, 10, 24), "03:00", "10:30", 6),
        # The EU falls back on 25 Oct, the US only on 1 Nov (a 25-hour day in New York).
        (date(2026, 10, 25), "04:00", "11:30", 5),
        (date(2026, 10, 28), "04:00", "11:30", 5),
        (date(2026, 10, 31), "04:00", "11:30", 5),
        (date(2026, 11, 1), "03:00", "10:30", 6),
        (date(2026, 11, 3), "03:00", "10:30", 6),
    ],
)
def test_a_new_york_viewer_sees_the_berlin_mentors_day_on_their_own_calendar_day(
    day, first, last, hours_apart
):
    slots = slots_on(day, make_rules(weekly=EVERY_DAY), viewer=NEW_YORK)

    assert wall(slots, NEW_YORK) == quarter_hours(first, last)
    assert {s.astimezone(NEW_YORK).date() for s in slots} == {day}
    assert wall(slots, BERLIN) == quarter_hours("09:00", "16:30")
    gap = {s.astimezone(BERLIN).utcoffset() - s.astimezone(NEW_YORK).utcoffset() for s in slots}
    assert gap == {timedelta(hours=hours_apart)}


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2026, 3, 8), 23), (date(2026, 3, 9), 24), (date(2026, 11, 1), 25)],
)
def test_a_viewers_day_across_a_clock_change_holds_23_or_25_hours_of_slots(day, hours):
    start, end = day_bounds(day, NEW_YORK)
    # Same-tzinfo subtraction is wall-clock arithmetic in Python; measure in UTC.
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=hours)

    # A Tokyo mentor (no DST) free all day long: only their own 23:45 (14:45 UTC) is missing,
    # because a 15-minute session starting then would end past their window's 23:59:59.
    all_day = {weekday: (Window(time(0), time(23, 59, 59)),) for weekday in range(7)}
    slots = slots_on(day, make_rules(zone=TOKYO, weekly=all_day), viewer=NEW_YORK, minutes=15)

    every_quarter = [start.astimezone(UTC) + k * timedelta(minutes=15) for k in range(hours * 4)]
    assert slots == [s for s in every_quarter if s.astimezone(TOKYO).time() != time(23, 45)]
    assert len(slots) == hours * 4 - 1
    assert {s.astimezone(NEW_YORK).date() for s in slots} == {day}


def test_a_window_across_the_spring_gap_offers_only_real_times():
    # New York, Sunday 8 Mar 2026: 02:00 EST jumps to 03:00 EDT, so 02:xx never happens.
    rules = make_rules(zone=NEW_YORK, weekly={6: (Window(time(1), time(4)),)})

    slots = slots_on(date(2026, 3, 8), rules, minutes=30)

    # 01:00-04:00 on the wall clock is two real hours: 06:00-08:00 UTC.
    assert wall(slots, NEW_YORK) == ["01:00", "01:15", "01:30", "01:45", "03:00", "03:15", "03:30"]
    assert wall(slots, UTC) == quarter_hours("06:00", "07:30")
    for s in slots:
        local = s.astimezone(NEW_YORK)
        # The wall-clock label exists: it maps back to the very same instant.
        assert datetime.combine(local.date(), local.time(), tzinfo=NEW_YORK).astimezone(UTC) == s
    assert len(slots_on(date(2026, 3, 8), rules, minutes=15)) == 8
    # The Sunday after has the full three hours.
    assert len(slots_on(date(2026, 3, 15), rules, minutes=15)) == 12


@pytest.mark.parametrize(
    ("zone", "day", "window", "repeated_hour", "first_utc", "last_utc"),
    [
        # New York, 1 Nov 2026: 02:00 EDT falls back to 01:00 EST, so 01:xx happens twice.
        (NEW_YORK, date(2026, 11, 1), (time(0), time(3)), (time(1), time(2)), "04:00", "07:30"),
        # Berlin, 25 Oct 2026: 03:00 CEST falls back to 02:00 CET, so 02:xx happens twice.
        (BERLIN, date(2026, 10, 25), (time(1), time(4)), (time(2), time(3)), "23:00", "02:30"),
    ],
)
def test_an_ambiguous_fall_back_hour_gives_no_duplicate_slots(
    zone, day, window, repeated_hour, first_utc, last_utc
):
    weekly = {6: (Window(*window),)}
    # Extra hours over the repeated hour on the same date must not add it a second time.
    for extra in ({}, {day: (Window(*repeated_hour),)}):
        slots = slots_on(day, make_rules(zone=zone, weekly=weekly, extra=extra), minutes=30)

        assert len(slots) == len(set(slots))
        assert slots == sorted(slots)
        # Three wall-clock hours that contain the repeated hour last four real hours:
        # a 30-minute session can start at 15 quarter-hours, each a different instant.
        assert wall(slots[:1], UTC) == [first_utc] and wall(slots[-1:], UTC) == [last_utc]
        assert len(slots) == 15
        assert all(b - a == timedelta(minutes=15) for a, b in zip(slots, slots[1:], strict=False))
        # The repeated wall-clock labels are told apart by their UTC offset.
        labels = [(s.astimezone(zone).strftime("%H:%M"), s.astimezone(zone).utcoffset()) for s in slots]
        assert len(labels) == len(set(labels))


# --- notice and horizon ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("notice", "first"),
    [
        (timedelta(0), at(TUESDAY, 10, 15)),
        (timedelta(minutes=60), at(TUESDAY, 11, 15)),
        (timedelta(hours=7), at(WEDNESDAY, 9)),  # 17:07 is past Tuesday's window
        (timedelta(hours=24), at(WEDNESDAY, 10, 15)),
    ],
)
def test_minimum_notice_keeps_the_first_slot_that_far_ahead_of_now(notice, first):
    now = at(TUESDAY, 10, 7).astimezone(UTC)

    slots = slots_between(make_rules(minimum_notice=notice), at(MONDAY, 0), at(SATURDAY, 0), now=now)

    assert slots[0] == first
    assert all(s >= now + notice for s in slots)


def test_the_horizon_ends_how_far_ahead_slots_are_offered():
    now = at(MONDAY, 10).astimezone(UTC)

    slots = slots_between(make_rules(horizon=timedelta(days=2)), at(MONDAY, 0), at(SATURDAY, 0), now=now)

    assert all(s < now + timedelta(days=2) for s in slots)
    assert slots[-1] == at(WEDNESDAY, 9, 45)
    assert {s.astimezone(BERLIN).date() for s in slots} == {MONDAY, TUESDAY, WEDNESDAY}


def test_nothing_is_offered_when_the_window_is_already_past():
    now = at(WEDNESDAY, 12).astimezone(UTC)

    assert slots_on(TUESDAY, make_rules(), now=now) == []


# --- busy time and buffers ------------------------------------------------------------------------


def test_busy_time_removes_exactly_the_slots_that_overlap_it():
    rules = make_rules()
    taken = [busy(TUESDAY, "10:00", "10:30"), busy(TUESDAY, "14:00", "15:00")]

    slots = slots_on(TUESDAY, rules, busy=taken)

    removed = sorted(set(wall(slots_on(TUESDAY, rules))) - set(wall(slots)))
    assert removed == ["09:45", "10:00", "10:15", "13:45", "14:00", "14:15", "14:30", "14:45"]
    # Back to back with a session is fine when there is no buffer.
    assert {"09:30", "10:30", "13:30", "15:00"} <= set(wall(slots))


def test_busy_time_on_another_day_leaves_this_day_alone():
    slots = slots_on(TUESDAY, make_rules(), busy=[busy(WEDNESDAY, "09:00", "17:00")])

    assert wall(slots) == quarter_hours("09:00", "16:30")


def test_busy_time_is_compared_as_instants_whatever_its_zone():
    in_new_york = Busy.between(at(TUESDAY, 4, zone=NEW_YORK), at(TUESDAY, 5, zone=NEW_YORK))  # 10-11 Berlin

    slots = slots_on(TUESDAY, make_rules(), busy=[in_new_york])

    assert not {"09:45", "10:00", "10:30", "10:45"} & set(wall(slots))
    assert {"09:30", "11:00"} <= set(wall(slots))


@pytest.mark.parametrize(("before", "after"), [(15, 15), (30, 0), (0, 30), (10, 10)])
def test_a_slot_keeps_both_buffers_away_from_a_session_on_either_side(before, after):
    rules = make_rules(buffer_before=before, buffer_after=after)
    gap = timedelta(minutes=before + after)
    starts_at, ends_at = at(TUESDAY, 12), at(TUESDAY, 13)
    session = Busy.between(starts_at, ends_at)

    slots = slots_on(TUESDAY, rules, busy=[session])

    ahead = [s for s in slots if s < starts_at]
    behind = [s for s in slots if s > starts_at]
    # Ahead: the slot's end plus the gap reaches at most the session's start.
    assert ahead[-1] + timedelta(minutes=30) + gap <= starts_at
    assert ahead[-1] + timedelta(minutes=45) + gap > starts_at
    # Behind: the slot starts at least the gap after the session's end.
    assert behind[0] - gap >= ends_at
    assert behind[0] - timedelta(minutes=15) - gap < ends_at
    if before + after == 30:
        assert wall([ahead[-1], behind[0]]) == ["11:00", "13:30"]


def test_buffers_are_kept_between_two_sessions_that_leave_a_short_gap():
    rules = make_rules(buffer_before=15, buffer_after=15)
    sessions = [busy(TUESDAY, "10:00", "11:00"), busy(TUESDAY, "12:30", "13:00")]

    slots = slots_on(TUESDAY, rules, busy=sessions)

    # 11:00-12:30 leaves room for 30 minutes plus 30 minutes of buffer either side: 11:30 only.
    assert [s for s in wall(slots) if "11:00" <= s < "12:30"] == ["11:30"]


# --- date overrides -------------------------------------------------------------------------------


def test_a_day_off_removes_that_date_only():
    rules = make_rules(days_off={TUESDAY})

    assert slots_on(TUESDAY, rules) == []
    assert wall(slots_on(WEDNESDAY, rules)) == quarter_hours("09:00", "16:30")
    assert wall(slots_on(TUESDAY + timedelta(days=7), rules)) == quarter_hours("09:00", "16:30")


def test_extra_hours_add_slots_on_their_date():
    rules = make_rules(
        extra={
            SATURDAY: (Window(time(10), time(12)),),
            TUESDAY: (Window(time(18), time(20)),),
        }
    )

    assert wall(slots_on(SATURDAY, rules)) == quarter_hours("10:00", "11:30")
    assert slots_on(SATURDAY + timedelta(days=7), rules) == []
    evening = quarter_hours("18:00", "19:30")
    assert wall(slots_on(TUESDAY, rules)) == quarter_hours("09:00", "16:30") + evening
    assert wall(slots_on(WEDNESDAY, rules)) == quarter_hours("09:00", "16:30")


def test_extra_hours_overlapping_the_weekly_window_offer_each_time_once():
    rules = make_rules(extra={TUESDAY: (Window(time(16), time(19)),)})

    assert wall(slots_on(TUESDAY, rules)) == quarter_hours("09:00", "18:30")


# --- the daily cap --------------------------------------------------------------------------------


def test_the_daily_cap_closes_a_day_once_it_has_that_many_sessions():
    rules = make_rules(max_per_day=2)
    one = [busy(TUESDAY, "09:00", "09:30")]
    two = [*one, busy(TUESDAY, "15:00", "15:30")]

    assert slots_on(TUESDAY, rules, busy=one) != []
    assert slots_on(TUESDAY, rules, busy=two) == []
    assert wall(slots_on(WEDNESDAY, rules, busy=two)) == quarter_hours("09:00", "16:30")


def test_the_daily_cap_counts_sessions_by_the_mentors_local_day():
    rules = make_rules(max_per_day=1)
    # 22:30 UTC on Tuesday is already 00:30 on Wednesday in Berlin.
    late = Busy.between(datetime(2026, 6, 2, 22, 30, tzinfo=UTC), datetime(2026, 6, 2, 23, 0, tzinfo=UTC))

    assert wall(slots_on(TUESDAY, rules, busy=[late])) == quarter_hours("09:00", "16:30")
    assert slots_on(WEDNESDAY, rules, busy=[late]) == []
    # A New York viewer's Tuesday ends at 04:00 UTC Wednesday, yet the cap is Berlin's.
    assert len(slots_on(TUESDAY, rules, busy=[late], viewer=NEW_YORK)) == 31


def test_time_that_does_not_count_toward_the_cap_still_blocks_its_slots():
    rules = make_rules(max_per_day=1)
    cohort_call = busy(TUESDAY, "12:00", "13:00", counts_toward_daily_cap=False)

    slots = slots_on(TUESDAY, rules, busy=[cohort_call])

    assert slots
    assert not {"11:45", "12:00", "12:30"} & set(wall(slots))


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        # Ends inside the skipped hour: the window closes when the clocks jump at 02:00 EST.
        ((time(0), time(2, 30)), quarter_hours("00:00", "01:45")),
        # Starts inside the skipped hour: the window opens when the clocks jump, at 03:00 EDT.
        ((time(2, 30), time(4)), quarter_hours("03:00", "03:45")),
        # Lies wholly inside the skipped hour: that wall-clock time never comes this day.
        ((time(2, 15), time(2, 45)), []),
    ],
)
def test_a_window_edge_the_spring_gap_skips_becomes_the_moment_the_clocks_jump(window, expected):
    rules = make_rules(zone=NEW_YORK, weekly={6: (Window(*window),)})

    slots = slots_on(date(2026, 3, 8), rules, minutes=15)

    assert wall(slots, NEW_YORK) == expected


@pytest.mark.parametrize(
    "zone_name",
    # Zones whose clocks change at midnight (Santiago, Asunción, Beirut, Havana at 00:00/01:00),
    # half-hour and 45-minute offsets (St John's, Kathmandu, Chatham) and the common cases.
    [
        "America/Santiago",
        "America/Asuncion",
        "Asia/Beirut",
        "America/Havana",
        "America/St_Johns",
        "Asia/Kathmandu",
        "Pacific/Chatham",
        "Europe/Berlin",
        "America/New_York",
        "Australia/Lord_Howe",
    ],
)
def test_every_day_of_two_years_converts_like_the_edge_by_edge_reading(zone_name):
    """The whole-day offset shortcut gives exactly what converting each window edge gives."""
    from mentors.slots import _to_utc

    zone = ZoneInfo(zone_name)
    windows = (
        Window(time(0, 0), time(1, 30)),
        Window(time(11, 0), time(12, 0)),
        Window(time(22, 30), time(23, 45)),
    )
    rules = make_rules(zone=zone, weekly={d: windows for d in range(7)}, horizon=timedelta(days=800))
    first, last = date(2026, 1, 1), date(2027, 12, 31)
    start = datetime.combine(first, time(), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=zone)
    epoch = datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC"))

    expected = set()
    day = first - timedelta(days=1)
    while day <= last + timedelta(days=1):
        for w in windows:
            lo, hi = _to_utc(day, w.start, zone), _to_utc(day, w.end, zone)
            moment = -(-lo // (15 * 60 * 10**6)) * 15 * 60 * 10**6
            while moment + 30 * 60 * 10**6 <= hi:
                slot = epoch + timedelta(microseconds=moment)
                if start <= slot < end:
                    expected.add(slot)
                moment += 15 * 60 * 10**6
        day += timedelta(days=1)

    got = slots_between(rules, start, end, now=start - timedelta(days=1))
    assert got == sorted(expected)


# --- the engine against a plain reading of the rules ------------------------------------------------


def reference_slots(rules, busy, duration, now, start, end):
    """Every quarter-hour of every window, kept if it breaks no rule; aware datetimes throughout.

    Window edges come from the engine's own conversion (pinned by the tests above); what this
    checks is the rest: busy time and buffers, the daily cap by local day, notice and horizon.
    """
    from mentors.slots import _windows_for

    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    earliest, latest = max(start, now + rules.minimum_notice), min(end, now + rules.horizon)
    taken = {}
    for starts_at, _, counts in busy:
        if counts:
            local_day = starts_at.astimezone(rules.zone).date()
            taken[local_day] = taken.get(local_day, 0) + 1
    found = set()
    day = earliest.astimezone(rules.zone).date() - timedelta(days=1)
    while day <= latest.astimezone(rules.zone).date():
        if taken.get(day, 0) < rules.max_per_day:
            for lo, hi in _windows_for(day, rules):
                moment = epoch + timedelta(microseconds=-(-lo // (15 * 60 * 10**6)) * 15 * 60 * 10**6)
                while moment + duration <= epoch + timedelta(microseconds=hi):
                    session = (moment - rules.buffer_before, moment + duration + rules.buffer_after)
                    clear = all(
                        session[1] <= starts_at - rules.buffer_before
                        or ends_at + rules.buffer_after <= session[0]
                        for starts_at, ends_at, _ in busy
                    )
                    if clear and earliest <= moment < latest:
                        found.add(moment)
                    moment += timedelta(minutes=15)
        day += timedelta(days=1)
    return sorted(found)


@st.composite
def engine_inputs(draw):
    zone = ZoneInfo(draw(st.sampled_from(["Europe/Berlin", "America/New_York", "Asia/Kathmandu", "UTC"])))
    first = draw(st.sampled_from([date(2026, 3, 6), date(2026, 10, 23), date(2026, 6, 1)]))
    minute = st.integers(0, 24 * 4 - 1).map(lambda q: time(q // 4, q % 4 * 15))

    def window():
        return st.tuples(minute, minute).filter(lambda w: w[0] < w[1]).map(lambda w: Window(*w))

    weekly = draw(st.dictionaries(st.integers(0, 6), st.lists(window(), min_size=1, max_size=2).map(tuple)))
    days = [first + timedelta(days=n) for n in range(5)]
    extra = draw(
        st.dictionaries(st.sampled_from(days), st.lists(window(), min_size=1, max_size=2).map(tuple))
    )
    rules = Rules(
        zone=zone,
        weekly=weekly,
        extra=extra,
        days_off=frozenset(draw(st.lists(st.sampled_from(days), max_size=1))),
        buffer_before=timedelta(minutes=draw(st.sampled_from([0, 10, 15]))),
        buffer_after=timedelta(minutes=draw(st.sampled_from([0, 5, 30]))),
        minimum_notice=timedelta(hours=draw(st.sampled_from([0, 3, 30]))),
        horizon=timedelta(days=draw(st.sampled_from([2, 30]))),
        max_per_day=draw(st.integers(1, 4)),
    )
    origin = datetime.combine(first, time(), tzinfo=UTC)
    busy = []

    def minutes(m):
        return timedelta(minutes=m)

    # Mostly on the quarter-hour (where sessions, buffers and busy time meet exactly), some not.
    quarter = st.integers(-4 * 24, 4 * 24 * 5).map(lambda q: timedelta(minutes=15 * q))
    odd = st.tuples(st.integers(-24 * 60, 5 * 24 * 60), st.sampled_from([0, 7, 0.5]))
    odd = odd.map(lambda m: timedelta(minutes=m[0], seconds=m[1]))
    lengths = st.one_of(
        st.integers(1, 32).map(lambda q: timedelta(minutes=15 * q)), st.integers(1, 480).map(minutes)
    )
    for _ in range(draw(st.integers(0, 12))):
        lo = origin + draw(st.one_of(quarter, quarter, quarter, odd))
        busy.append((lo, lo + draw(lengths), draw(st.booleans())))
    now = origin + timedelta(
        minutes=draw(st.integers(-24 * 60, 24 * 60)), microseconds=draw(st.sampled_from([0, 1]))
    )
    duration = timedelta(minutes=draw(st.sampled_from([15, 30, 45, 60, 90])))
    return rules, busy, duration, now


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(engine_inputs())
def test_the_engine_offers_exactly_what_a_plain_reading_of_the_rules_allows(inputs):
    rules, busy_times, duration, now = inputs
    start, end = now - timedelta(days=1), now + timedelta(days=6)

    engine_busy = [Busy.between(*b) for b in busy_times]  # as the database gives them

    got = free_slots(
        rules=rules, busy=engine_busy, duration=duration, now=now, window_start=start, window_end=end
    )

    assert got == reference_slots(rules, busy_times, duration, now, start, end)
