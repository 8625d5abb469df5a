"""What makes a profile worth trusting: the approved badge, the figures, text reviews first, the
next free times near the top and a "Book" bar for phones."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sessions.models import Booking, Review
from tests.factories import BookingFactory, MentorFactory, OfferingFactory

pytestmark = pytest.mark.django_db


def page(client, mentor) -> str:
    return client.get(mentor.get_absolute_url()).content.decode()


def between(html: str, start: str, end: str) -> str:
    at = html.index(start)
    return html[at : html.index(end, at)]


@pytest.fixture
def mentor():
    mentor = MentorFactory(user__display_name="Ada Lovelace")
    OfferingFactory(mentor=mentor, title="Career call", price_amount=4500)
    return mentor


def test_the_profile_shows_the_approved_badge_and_the_mentors_figures(client, mentor):
    offering = mentor.offerings.get()
    past = timezone.now() - timedelta(days=3)
    for day, state in enumerate([Booking.State.COMPLETED] * 3 + [Booking.State.CANCELLED_BY_MENTEE]):
        BookingFactory(offering=offering, state=state, starts_at=past - timedelta(days=day))
    mentor.action_items_total, mentor.action_items_done = 4, 3
    mentor.median_response_minutes = 150
    mentor.save()

    html = page(client, mentor)

    assert "Approved mentor" in between(html, 'id="approved-badge"', "</span> <span")
    assert "<strong>3</strong> <span>sessions held</span>" in html  # completed ones only
    assert "<strong>75%</strong> <span>of action items done</span>" in html
    assert "<strong>2 hours</strong> <span>median reply time</span>" in html


def test_figures_without_data_are_left_out_and_a_new_mentor_says_so(client, mentor):
    html = page(client, mentor)
    assert "<strong>0</strong> <span>sessions held</span>" in html
    assert "median reply time" not in html and "of action items done" not in html
    assert "<strong>New</strong> <span>no reviews yet</span>" in html


def test_reviews_with_a_text_come_first_and_ratings_alone_are_compact(client, mentor):
    offering = mentor.offerings.get()
    now = timezone.now()
    for days_ago, text in [(1, ""), (2, "Sharp and kind."), (3, ""), (4, "Changed how I negotiate.")]:
        booking = BookingFactory(
            offering=offering,
            state=Booking.State.COMPLETED,
            starts_at=now - timedelta(days=days_ago, hours=1),
        )
        review = Review.objects.create(booking=booking, rating=5, text=text)
        Review.objects.filter(pk=review.pk).update(created_at=now - timedelta(days=days_ago))

    html = between(page(client, mentor), 'id="reviews"', "</aside>")

    assert html.index("Sharp and kind.") < html.index("Changed how I negotiate.") < html.index("rating only")
    assert html.count('class="review compact"') == 2
    assert html.count('class="card review"') == 2


def test_the_next_free_times_come_before_the_about_and_the_phone_book_bar_links_the_offering(client, mentor):
    html = page(client, mentor)
    assert html.index('id="next-free"') < html.index("<h2>About</h2>")
    bar = between(html, 'id="book-bar"', "</div>")
    assert f'href="{mentor.offerings.get().get_absolute_url()}"' in bar
    assert "From $45" in bar


def test_a_mentor_with_several_offerings_sends_the_book_bar_to_the_list(client, mentor):
    OfferingFactory(mentor=mentor, title="CV review", price_amount=2000)
    bar = between(page(client, mentor), 'id="book-bar"', "</div>")
    assert 'href="#offerings"' in bar and "From $20" in bar


def test_the_profile_lists_the_mentors_cohorts_open_for_enrolment(client, mentor):
    from cohorts.models import Cohort
    from tests.cohorts.factories import CohortFactory

    CohortFactory(facilitator=mentor, title="Ship your side project", status=Cohort.Status.PUBLISHED)
    CohortFactory(facilitator=mentor, title="Still a draft", slug="draft-one")
    CohortFactory(title="Someone else's", slug="theirs", status=Cohort.Status.PUBLISHED)

    cohorts = between(page(client, mentor), 'id="cohorts"', "</aside>")

    assert "Ship your side project" in cohorts
    assert "Still a draft" not in cohorts and "Someone else" not in cohorts
