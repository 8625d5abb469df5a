"""The waitlist says the person's place in line; the norms read as a list; the private calendar
feed has a copy button (shown by static JS, with the field to select by hand otherwise)."""

import re

import pytest
from django.urls import reverse

from cohorts import services
from cohorts.models import CalendarFeed
from core.templatetags.product import ordinal
from tests.cohorts.factories import EnrollmentFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("n", "said"),
    [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"), (21, "21st")],
)
def test_ordinal(n, said):
    assert ordinal(n) == said


def test_each_person_on_the_waitlist_is_told_their_place(client, free_cohort, people):
    for person in people[:3]:
        services.cohort_enroll(cohort=free_cohort, member=person, accept_norms=True)
    first, second = (
        services.cohort_enroll(cohort=free_cohort, member=p, accept_norms=True) for p in people[3:]
    )
    for enrollment, said in (
        (first, "You are 1st on the waitlist."),
        (second, "You are 2nd on the waitlist."),
    ):
        client.force_login(enrollment.member)
        page = client.get(free_cohort.get_absolute_url()).content.decode()
        assert said in page
    assert "1 person is ahead of you" in page
    services.enrollment_leave(enrollment=first, by=first.member)
    assert "You are 1st on the waitlist." in client.get(free_cohort.get_absolute_url()).content.decode()


def test_the_norms_render_as_a_list(client, free_cohort):
    free_cohort.norms = "- Show up on time.\n- Feedback is specific and kind.\n- What is shared stays here."
    free_cohort.save(update_fields=["norms"])
    page = client.get(free_cohort.get_absolute_url()).content.decode()
    norms = re.search(r'<div class="norms" hx-disable>(.*?)</div>', page, flags=re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", norms) == [
        "Show up on time.",
        "Feedback is specific and kind.",
        "What is shared stays here.",
    ]


def test_the_private_feed_has_a_copy_button_driven_by_a_static_script(client, free_cohort):
    member = EnrollmentFactory(cohort=free_cohort).member
    feed = services.calendar_feed_regenerate(user=member)
    client.force_login(member)
    page = client.get(reverse("cohorts:space", args=[free_cohort.slug])).content.decode()
    assert CalendarFeed.objects.get(user=member).token == feed.token
    assert re.search(r'<input[^>]*id="feed-url"[^>]*readonly[^>]*value="[^"]*' + feed.token, page)
    button = re.search(r"<button[^>]*data-copy=\"feed-url\"[^>]*>", page).group(0)
    assert "hidden" in button and 'type="button"' in button and 'aria-describedby="feed-url-status"' in button
    assert 'id="feed-url-status" role="status"' in page
    assert re.search(r'<script src="[^"]*js/copy\.js" defer></script>', page)
