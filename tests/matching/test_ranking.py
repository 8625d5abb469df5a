"""The ranking against the database: candidates loaded in bulk, free slots counted inside the
mentee's hours with the slot engine, the cached ranking, impressions and clicks, and refreshes."""

from datetime import time, timedelta

import pytest
import time_machine
from django.utils import timezone

from matching import scoring, selectors, services
from matching.models import Impression, Intake, Recommendation
from mentors import services as mentor_services
from sessions.models import Booking, Review
from subscriptions.models import Plan
from tests.cohorts.factories import CohortFactory
from tests.factories import BookingFactory, MentorFactory, OfferingFactory, SkillFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def python(db):
    return SkillFactory(name="Python", slug="python")


def python_mentor(python, **fields):
    m = MentorFactory(headline="Python staff engineer", bio="I help with Python hiring loops.", **fields)
    m.skills.add(python)
    return m


def intake_for(user, python=None, **fields) -> Intake:
    values = {"need": "Prepare for a Python hiring interview", "currency": "USD"}
    values.update(fields)
    intake = Intake.objects.create(user=user, **values)
    if python:
        intake.skills.add(python)
    return intake


def test_offerings_cohorts_and_plans_are_candidates_loaded_in_a_fixed_number_of_queries(
    python, django_assert_max_num_queries
):
    def world(n):
        for _ in range(n):
            m = python_mentor(python)
            OfferingFactory(mentor=m, price_amount=4000)
            Plan.objects.create(mentor=m, name="Monthly", price_amount=9000, is_published=True)
        CohortFactory(published=True, price_amount=30000)

    world(2)
    need = selectors.need_from(None, zone=timezone.get_current_timezone())
    with django_assert_max_num_queries(17) as few:  # with the vocabulary, the rates and the times chosen
        small = selectors.candidates_for(need=need)
    world(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        large = selectors.candidates_for(need=need)
    assert {c.kind for c in small} == {"offering", "plan", "cohort"}
    assert len(large) == len(small) + 16 + 1


def test_free_slots_are_counted_inside_the_mentees_days_and_hours(python):
    mentor = python_mentor(python)  # Berlin, Monday to Friday 09:00-17:00
    OfferingFactory(mentor=mentor)
    mentee = UserFactory(timezone="America/New_York")
    morning = selectors.need_from(
        intake_for(mentee, python, hours_from=time(4), hours_to=time(8)), zone=mentee.zone
    )
    [offering] = selectors.candidates_for(need=morning)
    assert offering.mentor.free_slots_in_hours > 0
    Intake.objects.filter(user=mentee).delete()
    evening = selectors.need_from(
        intake_for(mentee, python, hours_from=time(18), hours_to=time(22)), zone=mentee.zone
    )
    [offering] = selectors.candidates_for(need=evening)
    assert offering.mentor.free_slots_in_hours == 0  # 00:00-04:00 in Berlin
    Intake.objects.filter(user=mentee).delete()
    weekend = selectors.need_from(intake_for(mentee, python, days=[5, 6]), zone=mentee.zone)
    [offering] = selectors.candidates_for(need=weekend)
    assert offering.mentor.free_slots_in_hours == 0


def test_a_ranking_is_stored_with_reasons_and_replaced_on_refresh(python):
    mentor = python_mentor(python, rating_average=4.9, rating_count=12)
    OfferingFactory(mentor=mentor, title="Python interview drill", price_amount=4000)
    OfferingFactory(mentor=MentorFactory(headline="Watercolours"), title="Painting", price_amount=1000)
    mentee = UserFactory()
    intake_for(mentee, python, budget_amount=5000)

    first = services.recommendations_refresh(user_id=mentee.pk)
    assert first[0].title == "Python interview drill"
    assert "Python" in first[0].reasons[0]
    assert "$40, within your budget" in first[0].reasons
    assert first[0].signals["skills"] == 1.0
    services.recommendations_refresh(user_id=mentee.pk)
    assert Recommendation.objects.filter(user=mentee).count() == len(first)


def test_an_empty_intake_ranks_nothing(python):
    OfferingFactory(mentor=python_mentor(python))
    mentee = UserFactory()
    Intake.objects.create(user=mentee)
    assert services.recommendations_refresh(user_id=mentee.pk) == []


def test_saving_the_intake_refreshes_the_ranking_after_commit(python, django_capture_on_commit_callbacks):
    OfferingFactory(mentor=python_mentor(python))
    mentee = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.intake_save(user=mentee, skills=[python], need="Python interviews", currency="USD")
    assert Recommendation.objects.filter(user=mentee).exists()


def test_impressions_are_logged_once_a_day_and_clicks_noted(python):
    OfferingFactory(mentor=python_mentor(python))
    mentee = UserFactory()
    intake_for(mentee, python)
    shown = services.recommendations_refresh(user_id=mentee.pk)
    assert services.impressions_log(user=mentee, recommendations=shown) == 1
    services.impressions_log(user=mentee, recommendations=shown)
    assert Impression.objects.count() == 1
    assert services.recommendation_click(user=mentee, position=1).url == shown[0].url
    assert Impression.objects.get().clicked_at is not None
    assert services.recommendation_click(user=UserFactory(), position=1) is None


def test_a_mentors_new_hours_refresh_the_rankings_that_showed_them(
    python, django_capture_on_commit_callbacks
):
    mentor = python_mentor(python)
    OfferingFactory(mentor=mentor)
    mentee = UserFactory()
    intake_for(mentee, python)
    services.recommendations_refresh(user_id=mentee.pk)
    before = Recommendation.objects.get(user=mentee).computed_at
    with (
        time_machine.travel(timezone.now() + timedelta(minutes=5)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        mentor_services.weekly_rule_add(mentor=mentor, weekday=5, start=time(10), end=time(12))
    assert Recommendation.objects.get(user=mentee).computed_at > before


def test_training_examples_say_whether_the_mentee_bought_from_that_mentor_afterwards(python):
    bought_from, ignored = python_mentor(python), python_mentor(python)
    for m in (bought_from, ignored):
        OfferingFactory(mentor=m)
    mentee = UserFactory()
    intake_for(mentee, python)
    services.impressions_log(user=mentee, recommendations=services.recommendations_refresh(user_id=mentee.pk))
    BookingFactory(offering=bought_from.offerings.first(), mentee=mentee, state=Booking.State.CONFIRMED)
    examples = selectors.training_examples(
        since=timezone.now() - timedelta(days=1), window=timedelta(days=14)
    )
    assert sorted(e.booked for e in examples) == [False, True]
    assert all(len(e.signals) == len(scoring.SIGNAL_NAMES) for e in examples)


def test_the_nightly_batch_ranks_like_one_mentee_at_a_time(python, django_capture_on_commit_callbacks):
    from matching.tasks import refresh_all_recommendations

    for hours in (4, 6):
        m = python_mentor(python)
        OfferingFactory(mentor=m, title=f"Python drill {hours}")
        m.weekly_rules.update(end_time=time(9 + hours))
    OfferingFactory(mentor=MentorFactory(headline="Watercolours"), title="Painting")
    mentees = [UserFactory(timezone="Europe/Berlin") for _ in range(3)]
    for i, mentee in enumerate(mentees):
        intake_for(mentee, python, hours_from=time(9 + i * 3), hours_to=time(12 + i * 3))
    one_by_one = {
        m.pk: [(r.title, r.reasons) for r in services.recommendations_refresh(user_id=m.pk)] for m in mentees
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert refresh_all_recommendations() == 3
    for mentee in mentees:
        batch = [
            (r.title, r.reasons) for r in Recommendation.objects.filter(user=mentee).order_by("position")
        ]
        assert batch == one_by_one[mentee.pk]


def test_the_mentors_a_mentee_met_are_read_with_the_stars_of_their_latest_review(python):
    mentee, someone_else = UserFactory(), UserFactory()
    liked, unreviewed, cancelled = python_mentor(python), python_mentor(python), python_mentor(python)
    now = timezone.now()

    def session(mentor, *, days_ago, state=Booking.State.COMPLETED, stars=None, mentee=mentee):
        booking = BookingFactory(
            offering=OfferingFactory(mentor=mentor),
            mentee=mentee,
            state=state,
            starts_at=(now - timedelta(days=days_ago)).replace(microsecond=0),
        )
        if stars:
            Review.objects.create(booking=booking, rating=stars)

    session(liked, days_ago=30, stars=2)
    session(liked, days_ago=3, stars=5)  # the latest counts
    session(unreviewed, days_ago=5)
    session(cancelled, days_ago=4, state=Booking.State.CANCELLED_BY_MENTEE)
    session(cancelled, days_ago=4, stars=1, mentee=someone_else)

    assert selectors.mentors_met(user=mentee) == {liked.pk: 5, unreviewed.pk: None}


def test_a_mentee_who_rated_a_mentor_poorly_is_not_shown_them_again(python):
    mentee = UserFactory()
    intake_for(mentee, python)
    disliked, other = python_mentor(python), python_mentor(python)
    OfferingFactory(mentor=other, price_amount=4000)
    bought = OfferingFactory(mentor=disliked, price_amount=4000)
    past = BookingFactory(
        offering=bought,
        mentee=mentee,
        state=Booking.State.COMPLETED,
        starts_at=(timezone.now() - timedelta(days=10)).replace(microsecond=0),
    )

    def shown() -> set[int]:
        return {r.mentor_id for r in services.recommendations_refresh(user_id=mentee.pk)}

    assert shown() == {disliked.pk, other.pk}
    Review.objects.create(booking=past, rating=1)
    assert shown() == {other.pk}


def test_each_item_carries_how_often_mentees_chose_it(python):
    mentor = python_mentor(python)
    popular, quiet = OfferingFactory(mentor=mentor), OfferingFactory(mentor=mentor)
    for state in (Booking.State.COMPLETED, Booking.State.CONFIRMED, Booking.State.EXPIRED):
        BookingFactory(offering=popular, state=state)
    need = selectors.need_from(None, zone=timezone.get_current_timezone())
    chosen = {c.id: c.bookings for c in selectors.candidates_for(need=need) if c.kind == "offering"}
    assert chosen == {popular.pk: 2, quiet.pk: 0}  # an expired hold is no choice
