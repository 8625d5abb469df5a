"""A mentor's Impact page: every figure on a small hand-built world, its counts, rate and 95 %
interval worked out by hand below; privacy (only their own mentees, nothing under 5 people);
and a query count that does not grow with the data.

Wilson by hand, z = 1.959964, z² = 3.841459:
    d = 1 + z²/n,  centre = (p + z²/2n) / d,  half = z·√(p(1−p)/n + z²/4n²) / d.
  2 of 6: p = .3333, d = 1.6402, centre = (.3333 + .3201)/1.6402 = .3984,
          half = 1.96·√(.03704 + .02668)/1.6402 = .3016  →  [.097, .700]
  4 of 8: p = .5, d = 1.4802, centre = .5, half = 1.96·√(.03125 + .01501)/1.4802 = .2848
          →  [.215, .785]
  3 of 6: p = .5, d = 1.6402, centre = .5, half = 1.96·√(.04167 + .02668)/1.6402 = .3124
          →  [.188, .812]
  2 of 5: p = .4, d = 1.7683, centre = (.4 + .3841)/1.7683 = .4434,
          half = 1.96·√(.048 + .03841)/1.7683 = .3258  →  [.118, .769]
"""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.models import Cohort, Enrollment
from dashboard import impact
from mentors.models import MentorProfile
from qa.models import Message, Thread
from sessions.models import ActionItem, Booking, Review
from tests.cohorts.factories import CohortFactory, EnrollmentFactory
from tests.dashboard.helpers import upgrade_offer
from tests.factories import BookingFactory, MentorFactory, OfferingFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 15, 12, tzinfo=UTC)  # window: January to June 2025 (UTC months)
Done = Booking.State.COMPLETED


def at(day: int, month: int, year: int = 2025) -> datetime:
    return datetime(year, month, day, 10, tzinfo=UTC)


def session(mentor, mentee, when, state=Done) -> Booking:
    return BookingFactory(offering=OfferingFactory(mentor=mentor), mentee=mentee, starts_at=when, state=state)


def item(booking: Booking, *, done: bool) -> None:
    ActionItem.objects.create(
        booking=booking,
        text="Send the counter-offer",
        due_date=booking.starts_at.date() + timedelta(days=7),
        done_at=booking.ends_at + timedelta(days=1) if done else None,
    )


def waits(booking: Booking, *minutes_list: int, run: bool = False) -> None:
    """The mentee writes, the mentor answers `minutes` later, once per value (a day apart)."""
    thread = Thread.objects.create(booking=booking, mentee=booking.mentee, mentor=booking.mentor)
    for day, minutes in enumerate(minutes_list):
        asked = booking.starts_at + timedelta(days=day + 1)
        Message.objects.create(thread=thread, author=booking.mentee, body="A question", created_at=asked)
        if run:  # a second message while waiting: the wait still counts from the first
            Message.objects.create(
                thread=thread, author=booking.mentee, body="And…", created_at=asked + timedelta(minutes=1)
            )
        Message.objects.create(
            thread=thread,
            author=booking.mentor.user,
            body="An answer",
            created_at=asked + timedelta(minutes=minutes),
        )


@pytest.fixture
def world():
    """Greta (the mentor under test), Nora (5 mentees), Omar (4 mentees), Pia (1 mentee)."""
    greta, nora, omar, pia = MentorFactory.create_batch(4)
    a, b, c, d, e, f = UserFactory.create_batch(6)
    march = {m: session(greta, m, at(3 + i, 3)) for i, m in enumerate((a, b, c, d, e, f))}
    april_a = session(greta, a, at(2, 4))  # a: a repeat mentee
    feb_b = session(greta, b, at(2, 2))  # b: a repeat mentee
    session(pia, c, at(9, 3))  # c's other session is with another mentor: not a repeat for Greta
    session(greta, d, at(9, 4), state=Booking.State.CANCELLED_BY_MENTEE)  # d: cancelled, not a repeat
    december = session(greta, a, at(2, 12, 2024))  # before the window
    for mentee in UserFactory.create_batch(5):
        session(nora, mentee, at(5, 3))  # Nora: 5 mentees, none came back
    for mentee in UserFactory.create_batch(4):
        session(omar, mentee, at(5, 3))  # Omar: only 4 mentees, left out of the platform median

    # Action items: March a, b, c done, d, e, f open; April a done; February b open; December out.
    for mentee, booking in march.items():
        item(booking, done=mentee in (a, b, c))
    item(april_a, done=True)
    item(feb_b, done=False)
    item(december, done=True)

    # Reviews and upgrade offers: a 5 (redeemed), b 5 (redeemed), c 4 (not), d 4, e 5, f 3 (redeemed,
    # but a 3 is not a well-rated session).
    for mentee, rating in ((a, 5), (b, 5), (c, 4), (d, 4), (e, 5), (f, 3)):
        Review.objects.create(booking=march[mentee], rating=rating)
    upgrade_offer(march[a], redeemed=True)
    upgrade_offer(march[b], redeemed=True)
    upgrade_offer(march[c], redeemed=False)
    upgrade_offer(march[f], redeemed=True)

    # Cohorts: Greta's ended one (3 March + 4 weeks = 31 March) has 4 people who joined.
    ended = CohortFactory(
        facilitator=greta, start_date=date(2025, 3, 3), weeks=4, status=Cohort.Status.FINISHED
    )
    for state in (Enrollment.State.COMPLETED,) * 3 + (Enrollment.State.LEFT,):
        EnrollmentFactory(cohort=ended, state=state)
    EnrollmentFactory(cohort=ended, state=Enrollment.State.WAITLISTED, joined_at=None)
    EnrollmentFactory(cohort=ended, state=Enrollment.State.CANCELLED, joined_at=None)
    before = CohortFactory(facilitator=greta, start_date=date(2024, 10, 7), weeks=4, published=True)
    EnrollmentFactory.create_batch(5, cohort=before, state=Enrollment.State.COMPLETED)  # ended in Nov
    running = CohortFactory(facilitator=greta, start_date=date(2025, 6, 2), weeks=4, published=True)
    EnrollmentFactory.create_batch(5, cohort=running)  # ends 30 June: not yet
    noras = CohortFactory(facilitator=nora, start_date=date(2025, 2, 3), weeks=6, published=True)
    EnrollmentFactory.create_batch(4, cohort=noras, state=Enrollment.State.COMPLETED)
    EnrollmentFactory(cohort=noras, state=Enrollment.State.LEFT)

    # Reply times (minutes), 9 waits from 6 mentees, all asked in March.
    waits(march[a], 10, 90, run=True)
    waits(march[b], 20, 15)
    waits(march[c], 30, 45)
    waits(march[d], 60)
    waits(march[e], 120)
    waits(march[f], 240)
    for mentor, stored in ((greta, 50), (nora, 30), (omar, 100)):
        MentorProfile.objects.filter(pk=mentor.pk).update(median_response_minutes=stored)
    return {"greta": greta, "nora": nora, "omar": omar}


def by_key(mentor) -> dict[str, impact.Figure]:
    return {f.key: f for f in impact.impact_figures(mentor.pk, now=NOW)}


def r3(share) -> tuple:
    return (share.part, share.whole, round(share.rate, 3), round(share.low, 3), round(share.high, 3))


def test_every_figure_against_the_answers_worked_out_by_hand(world):
    figures = by_key(world["greta"])
    months = [m for m, _point in figures["repeat-booking"].months]
    assert months == [date(2025, m, 1) for m in range(1, 7)]

    # Repeat booking: mentees a–f (6); a (April) and b (February) came back to Greta: 2 of 6.
    repeat = figures["repeat-booking"]
    assert repeat.overall.people == 6
    assert r3(repeat.overall.share) == (2, 6, 0.333, 0.097, 0.7)
    # Platform: Greta 1/3 and Nora 0/5 (Omar has 4 mentees, Pia 1): median (1/3 + 0)/2 = 1/6.
    assert (round(repeat.platform, 3), repeat.platform_mentors) == (0.167, 2)
    month = dict(repeat.months)
    assert r3(month[date(2025, 3, 1)].share) == (2, 6, 0.333, 0.097, 0.7)
    assert not month[date(2025, 2, 1)].shown and month[date(2025, 2, 1)].people == 1  # b only
    assert not month[date(2025, 4, 1)].shown

    # Action items: 8 in the window (6 March, April a, February b), done a, b, c and April a: 4 of 8.
    items = figures["action-items"]
    assert r3(items.overall.share) == (4, 8, 0.5, 0.215, 0.785)
    assert (items.platform, items.platform_mentors) == (0.5, 1)  # nobody else records items
    assert r3(dict(items.months)[date(2025, 3, 1)].share) == (3, 6, 0.5, 0.188, 0.812)

    # Ladder up: rated 4–5 are a, b, c, d, e (f's 3 is not), redeemed a and b: 2 of 5, 5 people.
    ladder = figures["ladder-up"]
    assert ladder.overall.people == 5
    assert r3(ladder.overall.share) == (2, 5, 0.4, 0.118, 0.769)
    assert (round(ladder.platform, 3), ladder.platform_mentors) == (0.4, 1)

    # Cohort completion: only the cohort that ended 31 March counts; 4 joined (3 completed, 1 left)
    # — fewer than 5 people, so withheld. Nora's: 4 of 5 completed → the platform median is 0.8.
    cohorts = figures["cohort-completion"]
    assert (cohorts.overall.people, cohorts.overall.shown, cohorts.overall.share) == (4, False, None)
    assert (cohorts.platform, cohorts.platform_mentors) == (0.8, 1)
    assert dict(cohorts.months)[date(2025, 3, 1)].people == 4

    # Reply time: waits 10, 15, 20, 30, 45, 60, 90, 120, 240 (a's run of two counts once, from the
    # first): n = 9, median 45. B ~ Bin(9, ½): P(B ≤ 0) = 1/512, P(B ≤ 1) = 10/512, P(B ≤ 2) = 46/512;
    # rank 2 covers 1 − 2·10/512 = .961 ≥ .95, rank 3 only 1 − 2·46/512 = .820: [x(2), x(8)] = [15, 120].
    reply = figures["reply-time"]
    point = reply.overall
    assert (point.people, point.whole, point.median, point.low, point.high) == (6, 9, 45, 15, 120)
    assert round(point.coverage, 3) == 0.961
    assert reply.platform == 50  # stored medians 30, 50, 100
    assert dict(reply.months)[date(2025, 3, 1)].median == 45


def test_the_median_interval_falls_back_to_the_whole_range_for_few_values():
    # n = 5: no rank reaches 95 %; the range [1, 5] covers 1 − 2/32 = .9375.
    assert impact.median_interval([5, 1, 3, 2, 4]) == (3, 1, 5, 0.9375)


def test_another_mentors_figures_are_their_own(world):
    nora = by_key(world["nora"])
    # Nora: 5 mentees, none came back: 0 of 5, Wilson [0, .434] (centre .2717 ± .1624 after d = 1.7683).
    assert r3(nora["repeat-booking"].overall.share) == (0, 5, 0.0, 0.0, 0.434)
    assert not nora["action-items"].overall.shown and nora["action-items"].overall.people == 0
    assert nora["reply-time"].overall.people == 0  # Greta's threads are not Nora's


@pytest.fixture
def mentor_client(client, world):
    client.force_login(world["greta"].user)
    return client


def test_the_page_shows_the_figures_and_withholds_one_on_four_people(mentor_client, freezer_now):
    page = mentor_client.get(reverse("mentors:impact")).content.decode()
    assert "33 %" in page and "10 %" in page  # repeat 2 of 6, its interval from 10 %
    assert "Not enough mentees yet (4 of 5)" in page  # cohort completion
    assert "75 %" not in page  # 3 of 4 completed: never shown
    assert page.count("<svg") >= 5 and "<desc" in page


@pytest.fixture
def freezer_now(monkeypatch):
    monkeypatch.setattr(impact.timezone, "now", lambda: NOW)


def test_the_page_is_for_mentors_only(client, world):
    client.force_login(UserFactory())
    assert client.get(reverse("mentors:impact")).status_code == 404
    client.logout()
    assert client.get(reverse("mentors:impact")).status_code == 302


def test_another_mentors_page_never_shows_greta(client, world, freezer_now, monkeypatch):
    import dashboard.impact_views as views

    monkeypatch.setattr(views.timezone, "now", lambda: NOW)
    client.force_login(world["nora"].user)
    page = client.get(reverse("mentors:impact")).content.decode()
    assert "0 %" in page
    assert "33 %" not in page and "45 min" not in page.split("Platform median")[0]


def test_the_query_count_does_not_grow_with_the_data(client, world, monkeypatch):
    import dashboard.impact_views as views

    monkeypatch.setattr(views.timezone, "now", lambda: NOW)
    quiet = MentorFactory()
    session(quiet, UserFactory(), at(3, 5))
    client.force_login(quiet.user)
    cache.clear()  # the platform medians are cached: measure both pages cold
    with CaptureQueriesContext(connection) as little:
        assert client.get(reverse("mentors:impact")).status_code == 200
    client.force_login(world["greta"].user)
    for month in (1, 2, 3, 4, 5):
        for mentee in UserFactory.create_batch(4):
            booking = session(world["greta"], mentee, at(10, month))
            item(booking, done=True)
            Review.objects.create(booking=booking, rating=5)
            waits(booking, 30)
    cache.clear()
    with CaptureQueriesContext(connection) as much:
        assert client.get(reverse("mentors:impact")).status_code == 200
    assert len(much) == len(little)
    with CaptureQueriesContext(connection) as warm:
        assert client.get(reverse("mentors:impact")).status_code == 200
    assert len(warm) == len(much) - 5  # the five platform medians come from the cache


def test_the_platform_medians_are_cached_and_the_own_figures_are_not(world):
    by_key(world["greta"])
    session(world["nora"], UserFactory(), at(6, 3))  # Nora: 6 mentees now
    figures = by_key(world["greta"])
    assert round(figures["repeat-booking"].platform, 3) == 0.167  # still the cached median
    item(session(world["greta"], UserFactory(), at(7, 3)), done=True)
    assert r3(by_key(world["greta"])["action-items"].overall.share)[:2] == (5, 9)  # her own: live


# An SVG coordinate written the German way ("124,5") is read as two numbers and the chart falls
# apart: every number inside a chart stays "124.5" whatever the page's language.
LOCALISED_COORDINATE = re.compile(r'\b(?:x|y|x1|x2|y1|y2|cx|cy)="-?\d+,\d')


def test_the_charts_keep_their_coordinates_in_every_language(mentor_client, freezer_now):
    for language in ("de", "es"):
        page = mentor_client.get(reverse("mentors:impact"), headers={"Accept-Language": language}).content
        page = page.decode()
        assert f'lang="{language}"' in page
        assert '<circle cx="' in page  # a month drawn with its interval
        assert not LOCALISED_COORDINATE.search(page)
