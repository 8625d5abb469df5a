"""The staff insight page: each figure against a value worked out by hand on a small fixture."""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from billing.models import Payment, Refund
from cohorts.models import Cohort, Enrollment, Submission
from dashboard import insights
from mentors.models import MentorProfile
from qa.models import Question
from sessions.models import ActionItem, Booking, Review
from tests.cohorts.factories import CohortFactory, EnrollmentFactory, ModuleFactory
from tests.dashboard.helpers import upgrade_offer
from tests.factories import BookingFactory, MentorFactory, UserFactory

pytestmark = pytest.mark.django_db

Done = Booking.State.COMPLETED


def at(day: int, month: int = 1, year: int = 2025) -> datetime:
    return datetime(year, month, day, 10, tzinfo=UTC)


def completed(mentee, when: datetime, **kwargs) -> Booking:
    return BookingFactory(mentee=mentee, starts_at=when, state=Done, **kwargs)


def item(booking: Booking, *, done: bool) -> ActionItem:
    return ActionItem.objects.create(
        booking=booking,
        text="Send the counter-offer",
        due_date=booking.starts_at.date() + timedelta(days=7),
        done_at=booking.ends_at + timedelta(days=1) if done else None,
    )


def test_repeat_booking_rate_counts_mentees_with_another_completed_session_by_month():
    a, b, c, d = UserFactory.create_batch(4)
    completed(a, at(10, 1)), completed(a, at(10, 2))  # Jan and Feb: repeat in both
    completed(b, at(12, 1))  # one session only
    completed(c, at(15, 1))
    BookingFactory(mentee=c, starts_at=at(1, 2), state=Booking.State.CANCELLED_BY_MENTEE)  # not a session
    completed(d, at(3, 2)), completed(d, at(20, 2))  # two in the same month: a repeat mentee

    assert insights.repeat_booking_rate() == [
        {"month": "2025-01", "mentees": 3, "repeat": 1, "rate": 33.3},
        {"month": "2025-02", "mentees": 2, "repeat": 2, "rate": 100.0},
    ]


def test_implementation_rate_compares_solo_mentees_with_cohort_members():
    solo, other_solo, waitlisted, member, alumna, leaver = UserFactory.create_batch(6)
    item(completed(solo, at(1)), done=True)
    item(completed(solo, at(8)), done=True)
    item(completed(other_solo, at(2)), done=False)
    item(completed(waitlisted, at(3)), done=False)  # on a waitlist only: still solo
    item(completed(member, at(4)), done=True)

    cohort = CohortFactory(published=True, start_date=timezone.now().date() - timedelta(days=10))
    week1 = ModuleFactory(cohort=cohort, week=1)  # released, with an assignment: due
    ModuleFactory(cohort=cohort, week=2, assignment="")  # released, nothing to hand in
    week3 = ModuleFactory(cohort=cohort, week=3)  # not released yet
    member_seat = EnrollmentFactory(cohort=cohort, member=member)
    EnrollmentFactory(cohort=cohort, member=alumna, state=Enrollment.State.COMPLETED)
    left = EnrollmentFactory(cohort=cohort, member=leaver, state=Enrollment.State.LEFT)
    EnrollmentFactory(cohort=cohort, member=waitlisted, state=Enrollment.State.WAITLISTED)
    Submission.objects.create(module=week1, enrollment=member_seat, text="My plan")
    Submission.objects.create(module=week3, enrollment=member_seat, text="Early")  # not due: ignored
    Submission.objects.create(module=week1, enrollment=left, text="Before leaving")  # not a member

    assert insights.implementation_rate() == [
        {
            "group": "Solo mentees",
            "measure": "Action items done",
            "label": "Solo: action items",
            "done": 2,
            "total": 4,
            "rate": 50.0,
        },
        {
            "group": "Cohort members",
            "measure": "Action items done",
            "label": "Cohort: action items",
            "done": 1,
            "total": 1,
            "rate": 100.0,
        },
        {
            "group": "Cohort members",
            "measure": "Assignments submitted",
            "label": "Cohort: assignments",
            "done": 1,
            "total": 2,
            "rate": 50.0,
        },
    ]


def test_cohort_fill_rate_counts_members_of_cohorts_that_started_against_their_seats():
    first = CohortFactory(start_date=date(2025, 1, 6), seats_max=10, status=Cohort.Status.FINISHED)
    EnrollmentFactory.create_batch(2, cohort=first)
    EnrollmentFactory(cohort=first, state=Enrollment.State.COMPLETED)
    EnrollmentFactory(cohort=first, state=Enrollment.State.LEFT)
    EnrollmentFactory(cohort=first, state=Enrollment.State.WAITLISTED)
    second = CohortFactory(start_date=date(2025, 1, 20), seats_max=5, published=True)
    EnrollmentFactory.create_batch(5, cohort=second)
    cancelled = CohortFactory(start_date=date(2025, 1, 13), status=Cohort.Status.CANCELLED)
    EnrollmentFactory(cohort=cancelled, state=Enrollment.State.CANCELLED)
    CohortFactory(start_date=date(2025, 1, 27))  # a draft
    EnrollmentFactory(cohort=CohortFactory(published=True))  # starts in four weeks

    assert insights.cohort_fill_rate() == [
        {"month": "2025-01", "cohorts": 2, "seats": 15, "members": 8, "rate": 53.3},
    ]


def test_waitlist_conversion_is_the_share_of_waitlisted_people_who_became_members():
    cohort = CohortFactory(published=True)
    EnrollmentFactory(cohort=cohort, waitlisted_at=at(2, 3))  # converted
    EnrollmentFactory(cohort=cohort, waitlisted_at=at(3, 3), state=Enrollment.State.WAITLISTED)
    EnrollmentFactory(cohort=cohort, waitlisted_at=at(4, 3), state=Enrollment.State.EXPIRED)
    EnrollmentFactory(cohort=cohort, waitlisted_at=at(1, 4), state=Enrollment.State.COMPLETED)
    EnrollmentFactory(cohort=cohort)  # never waitlisted

    assert insights.waitlist_conversion() == [
        {"month": "2025-03", "waitlisted": 3, "converted": 1, "rate": 33.3},
        {"month": "2025-04", "waitlisted": 1, "converted": 1, "rate": 100.0},
    ]


def test_ladder_up_rate_is_the_share_of_well_rated_sessions_whose_upgrade_offer_was_redeemed():
    laddered, declined, unhappy, no_offer = (completed(UserFactory(), at(d, 3)) for d in (3, 4, 5, 6))
    for booking, rating in ((laddered, 5), (declined, 4), (unhappy, 3), (no_offer, 5)):
        Review.objects.create(booking=booking, rating=rating)
    upgrade_offer(laddered, redeemed=True)
    upgrade_offer(declined, redeemed=False)
    upgrade_offer(unhappy, redeemed=True)  # rated 3: not a well-rated session

    assert insights.ladder_up_rate() == [
        {"month": "2025-03", "well_rated": 3, "laddered": 1, "rate": 33.3},
    ]


def _payment(amount: int, fee: int, currency: str, paid_at: datetime | None, state=Payment.State.PAID):
    return Payment.objects.create(
        booking=BookingFactory(state=Done, starts_at=at(1, 1) - timedelta(days=1)),
        provider=Payment.Provider.DEMO,
        amount=amount,
        currency=currency,
        platform_fee=fee,
        state=state,
        paid_at=paid_at,
    )


def _refund(payment: Payment, amount: int, when: datetime, state=Refund.State.SUCCEEDED) -> None:
    refund = Refund.objects.create(
        payment=payment,
        key=f"test-{payment.pk}-{state}",
        amount=amount,
        currency=payment.currency,
        reason="test",
        state=state,
    )
    Refund.objects.filter(pk=refund.pk).update(created_at=when)


def test_revenue_sums_gmv_fees_and_refunds_by_month_without_mixing_currencies():
    big = _payment(10000, 1500, "USD", at(5, 1))
    _payment(5000, 750, "USD", at(25, 1))
    _payment(8000, 1200, "EUR", at(9, 1))
    _payment(2000, 300, "USD", at(2, 2))
    _payment(99999, 0, "USD", None, state=Payment.State.PENDING)
    _payment(777, 0, "USD", None, state=Payment.State.FAILED)
    _refund(big, 5000, at(3, 2))
    _refund(big, 1000, at(4, 2), state=Refund.State.FAILED)

    assert insights.revenue_by_month() == [
        {
            "month": "2025-01",
            "currency": "EUR",
            "payments": 1,
            "gmv": 8000,
            "fees": 1200,
            "refunds": 0,
            "take_rate": 15.0,
        },
        {
            "month": "2025-01",
            "currency": "USD",
            "payments": 2,
            "gmv": 15000,
            "fees": 2250,
            "refunds": 0,
            "take_rate": 15.0,
        },
        {
            "month": "2025-02",
            "currency": "USD",
            "payments": 1,
            "gmv": 2000,
            "fees": 300,
            "refunds": 5000,
            "take_rate": 15.0,
        },
    ]


def test_bookings_by_state_counts_every_state():
    BookingFactory.create_batch(2, starts_at=timezone.now() + timedelta(days=3))
    completed(UserFactory(), at(1))
    BookingFactory(state=Booking.State.EXPIRED)

    counts = {row["state"]: row["bookings"] for row in insights.bookings_by_state()}

    assert counts == {state.value: 0 for state in Booking.State} | {
        "confirmed": 2,
        "completed": 1,
        "expired": 1,
    }


def test_mentor_response_times_are_bucketed_with_the_median_of_medians():
    for minutes in (30, 90, 300, 2000):
        MentorFactory(median_response_minutes=minutes, weekdays=False)
    MentorFactory(median_response_minutes=None, weekdays=False)
    MentorFactory(median_response_minutes=10, status=MentorProfile.Status.PENDING, weekdays=False)

    assert insights.mentor_response_times() == [
        {"bucket": "under 1 h", "mentors": 1, "total": 4, "share": 25.0},
        {"bucket": "1–4 h", "mentors": 1, "total": 4, "share": 25.0},
        {"bucket": "4–24 h", "mentors": 1, "total": 4, "share": 25.0},
        {"bucket": "1 day or more", "mentors": 1, "total": 4, "share": 25.0},
        {
            "bucket": "median of medians",
            "mentors": 4,
            "share": None,
            "median_minutes": 195,
            "in_chart": False,
        },
    ]


def test_every_figure_is_empty_rather_than_broken_on_an_empty_database():
    for key in insights.FIGURES:
        assert isinstance(insights.figure_rows(key), list)


def test_figures_are_cached_for_a_few_minutes_per_figure():
    completed(UserFactory(), at(1))
    assert insights.figure_rows("repeat-booking")[0]["mentees"] == 1

    completed(UserFactory(), at(2))
    assert insights.figure_rows("repeat-booking")[0]["mentees"] == 1
    cache.clear()
    assert insights.figure_rows("repeat-booking")[0]["mentees"] == 2


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


def test_the_insight_page_is_for_staff_only(client, staff):
    url = reverse("dashboard:insights")
    assert client.get(url).status_code == 302  # anonymous: to the login page

    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    assert client.get(reverse("dashboard:insight_csv", args=["revenue"])).status_code == 404

    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 200


def test_staff_see_every_figure_as_an_svg_chart_with_a_description(client, staff):
    a = UserFactory()
    completed(a, at(10, 1)), completed(a, at(10, 2))
    _payment(10000, 1500, "USD", at(5, 1))
    _payment(8000, 1200, "EUR", at(9, 1))
    client.force_login(staff)

    html = client.get(reverse("dashboard:insights")).content.decode()

    for figure in insights.FIGURES.values():
        assert str(figure.title) in html
        assert reverse("dashboard:insight_csv", args=[figure.key]) in html
    # revenue: one chart per currency; retention: one per window (30, 60, 90 days)
    assert html.count("<svg") == len(insights.FIGURES) + 1 + 2

    # In German the charts' coordinates stay "12.5" (a "12,5" is two numbers to SVG).
    german = client.get(reverse("dashboard:insights"), headers={"Accept-Language": "de"}).content.decode()
    assert 'lang="de"' in german and german.count("<svg") == html.count("<svg")
    assert not re.search(r'\b(?:x|y|x1|x2|y1|y2|cx|cy|width|height)="-?\d+,\d', german)
    assert '<title id="repeat-booking-title">' in html
    assert "2025-01: too few; 2025-02: too few" in html  # one mentee a month: no point drawn
    assert "trend report: 62 %" in html
    assert "2025-01: $100" in html and "2025-01: €80" in html


def test_staff_download_a_figure_as_csv(client, staff):
    completed(UserFactory(), at(12, 1))
    client.force_login(staff)

    response = client.get(reverse("dashboard:insight_csv", args=["repeat-booking"]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="insights-repeat-booking.csv"' in response["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.content.decode())))
    # 0 of 1: Wilson 95 % is [0, 0.793] (z²/(1+z²) = 3.8415/4.8415); one person is too few to say.
    assert table[:2] == [
        ["month", "mentees", "repeat", "rate", "low", "high", "too_few"],
        ["2025-01", "1", "0", "0.0", "0.0", "79.3", "True"],
    ]
    assert table[2] == []
    assert table[3][0] == "definition" and table[3][1].startswith("For month M (UTC")
    assert table[4][0] == "interval" and "fewer than 10" in table[4][1]
    assert client.get("/dashboard/insights/nothing.csv").status_code == 404


def test_questions_count_asked_answered_and_refunded_with_the_revenue_of_answered_paid_ones():
    mentor = MentorFactory()

    def question(kind, state, when, price=0):
        asked = Question.objects.create(
            kind=kind,
            state=state,
            mentee=UserFactory(),
            mentor=mentor,
            body="Why?",
            price_amount=price,
            currency="USD" if price else "",
            answer_days=3 if price else None,
            asked_at=when,
        )
        if price:
            Payment.objects.create(
                question=asked,
                provider="demo",
                amount=price,
                currency="USD",
                platform_fee=price * 15 // 100,
                state=Payment.State.PAID,
                paid_at=when,
            )
        return asked

    question("free", "answered", at(3))
    question("free", "open", at(4))
    question("paid", "answered", at(5), price=3000)
    question("paid", "expired", at(6), price=3000)
    question("paid", "held", None, price=3000)  # not paid: never asked
    rows = {(r["month"], r["kind"]): r for r in insights.questions_by_month()}
    free, paid = rows[("2025-01", "free")], rows[("2025-01", "paid")]
    assert (free["asked"], free["answered"], free["refunded"], free["revenue"], free["rate"]) == (
        2,
        1,
        0,
        0,
        50.0,
    )
    assert (paid["asked"], paid["answered"], paid["refunded"], paid["revenue"]) == (2, 1, 1, 3000)
    assert paid["currency"] == "USD"
