"""The insight page's evidence (dashboard.outcomes): intervals, cohort against solo compared three
ways, retention curves — each checked on a small world whose answers are worked out by hand below.

Wilson 95 % (z = 1.95996, z² = 3.84146) of k of n: centre (p + z²/2n) / (1 + z²/n), half-width
z·√(p(1−p)/n + z²/4n²) / (1 + z²/n); 0 of n starts at 0 and n of n ends at 1. Newcombe: d − √((p₁ −
l₁)² + (u₂ − p₂)²) to d + √((u₁ − p₁)² + (p₂ − l₂)²). Rows hold percentages with one decimal, i.e.
fractions to three decimals.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Enrollment
from dashboard import insights, outcomes
from sessions.models import ActionItem, Booking
from tests.cohorts.factories import CohortFactory, EnrollmentFactory
from tests.factories import BookingFactory, MentorFactory, UserFactory

pytestmark = pytest.mark.django_db

Done = Booking.State.COMPLETED


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def at(day: int, month: int, year: int = 2025) -> datetime:
    return datetime(year, month, day, 10, tzinfo=UTC)


def session(mentee, when: datetime, mentor=None, state=Done) -> Booking:
    extra = {"offering__mentor": mentor} if mentor else {}
    return BookingFactory(mentee=mentee, starts_at=when, state=state, **extra)


def sessions(mentee, when: datetime, mentor, *, items: tuple[bool, ...]) -> None:
    """One session a day from `when` for each action item (a session has at most one)."""
    for n, done in enumerate(items):
        booking = session(mentee, when + timedelta(days=n), mentor)
        ActionItem.objects.create(
            booking=booking,
            text="Send the counter-offer",
            due_date=booking.starts_at.date() + timedelta(days=7),
            done_at=booking.ends_at + timedelta(days=1) if done else None,
        )


def cohort_of(mentor, start: date, *members, state=Enrollment.State.ACTIVE):
    cohort = CohortFactory(facilitator=mentor, published=True, start_date=start)
    for member in members:
        EnrollmentFactory(cohort=cohort, member=member, state=state)
    return cohort


def cohort_world():
    """Two mentors; each runs a cohort that starts on 1 March 2025.

    Each action item is on a session of its own, one a day from the date given.
    Mentor one: solo mentees s1 (3 items, 2 done), s2 (2, 0 done) and w (2, 0 done; only on a
    waitlist, so solo); members of their cohort p (2 items, 1 done, in February, before the
    cohort; 2 items, 2 done, in March) and q (1 item, 1 done, in March).
    Mentor two: solo mentees s3 (2 items, 1 done) and s4 (1, 1 done); t, a member of their cohort
    (3 items, 3 done, in April); and r, a member of mentor one's cohort (2 items, 1 done, April),
    who belongs to neither side of mentor two's comparison.
    """
    one, two = MentorFactory(), MentorFactory()
    s1, s2, s3, s4, w, p, q, r, t = UserFactory.create_batch(9)
    sessions(s1, at(5, 1), one, items=(True, True, False))
    sessions(s2, at(6, 1), one, items=(False, False))
    sessions(w, at(7, 1), one, items=(False, False))
    sessions(p, at(10, 2), one, items=(True, False))
    sessions(p, at(10, 3), one, items=(True, True))
    sessions(q, at(15, 3), one, items=(True,))
    sessions(s3, at(8, 1), two, items=(True, False))
    sessions(s4, at(9, 1), two, items=(True,))
    sessions(t, at(1, 4), two, items=(True, True, True))
    sessions(r, at(2, 4), two, items=(True, False))
    first = cohort_of(one, date(2025, 3, 1), p, r)
    EnrollmentFactory(cohort=first, member=q, state=Enrollment.State.COMPLETED)
    EnrollmentFactory(cohort=first, member=w, state=Enrollment.State.WAITLISTED)
    cohort_of(two, date(2025, 3, 1), t)
    return one, two


def test_cohort_members_against_solo_mentees_everyone_the_same_people_and_within_each_mentor():
    one, two = cohort_world()

    everyone, same, pooled, *by_mentor = outcomes.cohort_vs_solo()

    # Everyone. Members p, q, r, t: 4 + 1 + 2 + 3 = 10 items, 3 + 1 + 1 + 3 = 8 done: 0.8, Wilson
    # [0.490, 0.943]. Solo s1, s2, w, s3, s4: 3 + 2 + 2 + 2 + 1 = 10 items, 2 + 0 + 0 + 1 + 1 = 4
    # done: 0.4, [0.168, 0.687]. Difference 0.4; Newcombe 0.4 − √(0.310² + 0.287²) = −0.023 to
    # 0.4 + √(0.143² + 0.232²) = 0.673: the interval includes zero.
    assert everyone == {
        "comparison": "Everyone",
        "cohort_done": 8,
        "cohort_total": 10,
        "cohort_rate": 80.0,
        "solo_done": 4,
        "solo_total": 10,
        "solo_rate": 40.0,
        "difference": 40.0,
        "low": -2.3,
        "high": 67.3,
        "too_few": False,
        "finding": "No clear difference: the interval includes zero.",
    }
    # The same people: only p has items both before (1 of 2) and after (2 of 2) the cohort's start;
    # q, r and t have items only after. 1.0 [0.342, 1] against 0.5 [0.095, 0.905]: difference 0.5,
    # 0.5 − √(0.658² + 0.405²) = −0.273 to 0.5 + √(0 + 0.405²) = 0.905. Two items a side: too few.
    assert same["comparison"] == "The same person, before and after joining a cohort (1 person)"
    assert (same["cohort_done"], same["cohort_total"], same["solo_done"], same["solo_total"]) == (2, 2, 1, 2)
    assert (same["difference"], same["low"], same["high"]) == (50.0, -27.3, 90.5)
    assert same["too_few"] is True and same["finding"] == "Too few to say."
    # Within each mentor. One: members p, q 4 of 5 against solo s1, s2, w 2 of 7 (0.514).
    # Two: member t 3 of 3 against solo s3, s4 2 of 3 (0.333); r is in mentor one's cohort only.
    # Mantel–Haenszel weights n₁n₀/(n₁+n₀): 35/12 = 2.917 and 9/6 = 1.5; pooled difference
    # (2.917·0.514 + 1.5·0.333) / 4.417 = 0.453. Variances p₁q₁/n₁ + p₀q₀/n₀: 0.8·0.2/5 +
    # (2/7)(5/7)/7 = 0.0612 and 0 + (2/3)(1/3)/3 = 0.0741; standard error √(2.917²·0.0612 +
    # 1.5²·0.0741) / 4.417 = 0.188; interval 0.453 ± 1.96·0.188 = [0.085, 0.821].
    assert pooled["comparison"] == "Within each mentor, pooled (2 mentors)"
    assert (pooled["cohort_done"], pooled["cohort_total"], pooled["solo_done"], pooled["solo_total"]) == (
        7,
        8,
        4,
        10,
    )
    assert (pooled["difference"], pooled["low"], pooled["high"]) == (45.3, 8.5, 82.1)
    assert pooled["too_few"] is True  # 8 member items in all: fewer than 10
    # One row per mentor (table and CSV only), each with Newcombe's interval: one 4/5 [0.376, 0.964]
    # against 2/7 [0.082, 0.641]: 0.514, from 0.514 − √(0.424² + 0.355²) = −0.039 to 0.514 +
    # √(0.164² + 0.204²) = 0.776.
    assert [(m["comparison"], m["difference"], m["low"], m["high"]) for m in by_mentor] == sorted(
        [
            (f"Mentor {one.slug}", 51.4, -3.9, 77.6),
            # two: 3/3 [0.439, 1] against 2/3 [0.208, 0.939]: 0.333, from 0.333 − √(0.561² +
            # 0.272²) = −0.291 to 0.333 + √(0 + 0.459²) = 0.792.
            (f"Mentor {two.slug}", 33.3, -29.1, 79.2),
        ]
    )
    assert all(m["in_chart"] is False for m in by_mentor)


def test_mantel_haenszel_pools_by_weight_and_is_none_without_a_stratum_with_both_sides():
    assert outcomes.mantel_haenszel([(1, 2, 0, 0), (0, 0, 3, 4)]) is None
    # One stratum: the plain difference, 3/4 − 1/4 = 0.5, ± 1.96·√(0.1875/4 + 0.1875/4) = 0.600.
    single = outcomes.mantel_haenszel([(3, 4, 1, 4)])
    assert (round(single.difference, 3), round(single.low, 3), round(single.high, 3)) == (0.5, -0.1, 1.0)


def test_every_rate_has_its_wilson_interval_and_a_small_group_is_too_few_to_say():
    cohort_world()

    solo, members, _assignments = insights.figure_rows("implementation")

    # 4 of 10 solo items: [0.168, 0.687], ten is enough; 8 of 10 members' items: [0.490, 0.943].
    assert (solo["low"], solo["high"], solo["too_few"]) == (16.8, 68.7, False)
    assert (members["low"], members["high"], members["too_few"]) == (49.0, 94.3, False)
    # Repeat booking by month: January has s1, s2, w, s3, s4 (one session per action item, so all
    # but s4 had another): 4 of 5, 0.8, Wilson [0.376, 0.964].
    january = insights.figure_rows("repeat-booking")[0]
    assert (january["mentees"], january["repeat"], january["low"], january["high"]) == (5, 4, 37.6, 96.4)
    assert january["too_few"] is True


def test_retention_curves_count_a_mentee_only_once_their_window_has_passed():
    a, b, c, d, e = UserFactory.create_batch(5)
    session(a, at(1, 1)), session(a, at(20, 1))  # again after 19 days: 30, 60 and 90
    session(b, at(5, 1)), session(b, at(20, 2))  # after 46 days: 60 and 90
    session(c, at(10, 1)), session(c, at(30, 4))  # after 110 days: none
    session(d, at(15, 1)), session(d, at(25, 1), state=Booking.State.CANCELLED_BY_MENTEE)  # none
    recent = (timezone.now() - timedelta(days=40)).replace(microsecond=0)
    session(e, recent), session(e, recent + timedelta(days=20))  # 40 days ago: only 30 has passed

    rows = {(r["days"], r["month"]): r for r in outcomes.retention_curves()}
    jan, now_month = "2025-01", recent.strftime("%Y-%m")

    # January: 4 first sessions, all windows passed. 1 of 4: 0.25 [0.046, 0.699]; 2 of 4: 0.5
    # [0.150, 0.850] (at 60 and at 90 days).
    assert [(rows[d, jan]["eligible"], rows[d, jan]["again"]) for d in (30, 60, 90)] == [
        (4, 1),
        (4, 2),
        (4, 2),
    ]
    assert (rows[30, jan]["rate"], rows[30, jan]["low"], rows[30, jan]["high"]) == (25.0, 4.6, 69.9)
    assert (rows[60, jan]["rate"], rows[60, jan]["low"], rows[60, jan]["high"]) == (50.0, 15.0, 85.0)
    assert all(rows[d, jan]["too_few"] for d in (30, 60, 90))  # 4 people: fewer than 10
    # e: 40 days since the first session. Within 30 days: 1 of 1, [0.207, 1]. 60 and 90 days have
    # not passed: nobody is counted yet (no rate, no interval).
    assert (rows[30, now_month]["eligible"], rows[30, now_month]["again"], rows[30, now_month]["low"]) == (
        1,
        1,
        20.7,
    )
    assert (rows[60, now_month]["eligible"], rows[60, now_month]["rate"], rows[60, now_month]["low"]) == (
        0,
        None,
        None,
    )
    assert rows[90, now_month]["mentees"] == 1 and rows[90, now_month]["eligible"] == 0


def page_queries(client) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("dashboard:insights")).status_code == 200
    return len(queries)


def test_the_page_asks_the_same_number_of_queries_however_much_data_there_is(client, staff):
    client.force_login(staff)
    cohort_world()
    few = page_queries(client)

    for _ in range(3):  # three more mentors, each with a cohort, members, solo mentees, repeats
        mentor = MentorFactory()
        people = UserFactory.create_batch(6)
        for n, person in enumerate(people):
            sessions(person, at(3 + n, 1), mentor, items=(True, False))
            sessions(person, at(3 + n, 5), mentor, items=(n % 2 == 0,))
        cohort_of(mentor, date(2025, 3, 1), *people[:3])

    assert page_queries(client) == few


def test_the_page_draws_intervals_the_reference_line_and_says_what_the_comparison_supports(client, staff):
    cohort_world()
    client.force_login(staff)

    html = client.get(reverse("dashboard:insights")).content.decode()

    assert "trend report: 62 %" in html and 'stroke-dasharray="8 4"' in html
    assert "Within 30 days" in html and "Within 90 days" in html
    assert "Everyone:</strong> No clear difference: the interval includes zero." in html
    assert "there is no line to draw" in html
    assert "Solo: action items: 40 % (16.8–68.7)" in html  # the whisker's bounds, in words too


def test_the_csv_carries_the_comparison_with_its_bounds_and_definition(client, staff):
    cohort_world()
    client.force_login(staff)

    text = client.get(reverse("dashboard:insight_csv", args=["cohort-vs-solo"])).content.decode()

    assert text.splitlines()[0] == (
        "comparison,cohort_done,cohort_total,cohort_rate,solo_done,solo_total,solo_rate,"
        "difference,low,high,too_few,finding"
    )
    assert "Everyone,8,10,80.0,4,10,40.0,40.0,-2.3,67.3,False," in text
    assert "definition,Action items done, cohort members minus solo mentees" in text.replace('"', "")


def test_a_line_breaks_at_a_month_too_few_to_say_and_whiskers_span_the_interval():
    from dashboard.figure import Reference
    from dashboard.templatetags.insight_charts import insight_chart

    rows = [
        {"month": "2025-01", "rate": 50.0, "low": 25.0, "high": 75.0, "too_few": False},
        {"month": "2025-02", "rate": 100.0, "low": 20.7, "high": 100.0, "too_few": True},
        {"month": "2025-03", "rate": 50.0, "low": 25.0, "high": 75.0, "too_few": False},
        {"month": "2025-04", "rate": 0.0, "low": 0.0, "high": 10.0, "too_few": False},
    ]
    chart = insight_chart(
        rows,
        label="month",
        value="rate",
        title="t",
        kind="line",
        reference=Reference(62.0, "trend report: 62 %"),
    )

    # The plot is 172 px high from y = 20 (100 %) to y = 192 (0 %): 50 % at 106, 25 % at 149; 580 px
    # wide from x = 48, one 145 px step a month, points in the middle: 120.5, 265.5, 410.5, 555.5.
    assert chart["lines"] == ["120.5,106.0", "410.5,106.0 555.5,192.0"]
    first, second = chart["points"][:2]
    assert (first["low_y"], first["high_y"], first["text"]) == (149.0, 63.0, "50 % (25–75)")
    assert second["too_few"] and not second["whisker"] and second["text"] == "too few"
    assert chart["reference"] == {"y": round(20 + 172 * 0.38, 1), "text": "trend report: 62 %"}
