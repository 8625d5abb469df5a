"""Signed-out visitors' pages from the cache (core/pagecache.py): served again without touching the
database, rendered anew when what they show changes, one entry per zone and language, never for
the signed in, and never showing a free time the booking would refuse."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from core import pagecache
from mentors.models import MentorProfile
from mentors.selectors import directory_vocabulary_changed
from sessions.services import offering_save
from sessions.services.booking import BookingRequest, booking_create
from tests.cohorts.factories import CohortFactory
from tests.factories import OfferingFactory, SkillFactory, UserFactory

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")
# Monday 1 June 2026, 07:50 in Berlin: the mentor (Mon-Fri 09:00-17:00 Berlin, one hour's notice)
# is first free at 09:00, which can be booked until 08:00.
MORNING = datetime(2026, 6, 1, 5, 50, tzinfo=UTC)
FIRST_FREE = datetime(2026, 6, 1, 9, 0, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def page_cache(settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 300
    monkeypatch.setattr(pagecache, "CLOCK_MARGIN", 0.0)  # one process, one clock


@pytest.fixture
def clock():
    with time_machine.travel(MORNING, tick=True) as traveller:
        yield traveller


def served(response) -> str:
    assert response.status_code == 200
    return response.get(pagecache.HEADER, "")


def book_nine_in_berlin(offering) -> None:
    """A mentee books the offering at 09:00 Berlin on 2 June 2026, through the booking service."""
    booking_create(
        offering=offering,
        mentee=UserFactory(),
        request=BookingRequest(
            starts_at=datetime(2026, 6, 2, 9, 0, tzinfo=BERLIN),
            outcome="A decision",
            prework_answers=["a", "b"],
        ),
        notify=False,
    )


def pages(offering) -> list[str]:
    CohortFactory(published=True, facilitator=offering.mentor)
    return [
        "/",
        "/mentors/",
        "/mentors/?skill=python&sort=rating",
        offering.mentor.get_absolute_url(),
        offering.get_absolute_url(),
        reverse("cohorts:list"),
    ]


def test_every_public_page_is_served_again_without_the_database(client, clock, django_assert_num_queries):
    offering = OfferingFactory()
    for url in pages(offering):
        assert served(client.get(url)) == "miss", url
        with django_assert_num_queries(0):
            assert served(client.get(url)) == "hit", url


def test_every_spelling_of_a_query_is_one_page_and_none_leaks_into_its_links(client, clock):
    OfferingFactory()
    assert served(client.get("/mentors/?sort=rating&skill=python&page=1")) == "miss"
    again = client.get("/mentors/?utm_source=mail-to-ana&skill=python&q=&sort=rating")
    assert served(again) == "hit"
    assert "mail-to-ana" not in again.content.decode()


def test_a_new_price_shows_at_once_on_the_offering_page_and_the_directory(
    client, clock, django_capture_on_commit_callbacks
):
    offering = OfferingFactory(price_amount=0)
    assert "Free" in client.get(offering.get_absolute_url()).content.decode()
    client.get("/mentors/")
    with django_capture_on_commit_callbacks(execute=True):
        offering_save(
            mentor=offering.mentor,
            offering=offering,
            price_amount=4500,
            prework_prompts=offering.prework_prompts,
        )
    page = client.get(offering.get_absolute_url())
    assert served(page) == "miss" and "$45" in page.content.decode()
    directory = client.get("/mentors/")
    assert served(directory) == "miss" and "from $45" in directory.content.decode()


def test_a_booked_time_is_never_offered_again_from_the_cache(
    client, clock, django_capture_on_commit_callbacks
):
    offering = OfferingFactory()
    day = {"day": "2026-06-02"}
    assert ">07:00<" in client.get(offering.get_absolute_url(), day).content.decode()  # 09:00 Berlin in UTC
    with django_capture_on_commit_callbacks(execute=True):
        book_nine_in_berlin(offering)
    page = client.get(offering.get_absolute_url(), day)
    assert served(page) == "miss" and ">07:00<" not in page.content.decode()


def test_each_zone_and_language_has_its_own_page(client, clock):
    offering = OfferingFactory()
    url = offering.get_absolute_url()
    assert ">07:00<" in client.get(url, HTTP_ACCEPT_LANGUAGE="de-DE").content.decode()
    american = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US")
    assert served(american) == "miss" and ">7:00 am<" in american.content.decode()
    client.cookies["tz"] = "Asia/Tokyo"
    tokyo = client.get(url, HTTP_ACCEPT_LANGUAGE="de-DE")
    assert (
        served(tokyo) == "miss"
        and ">16:00<" in tokyo.content.decode()
        and "Asia/Tokyo" in tokyo.content.decode()
    )
    assert served(client.get(url, HTTP_ACCEPT_LANGUAGE="en-US")) == "miss"
    del client.cookies["tz"]
    assert served(client.get(url, HTTP_ACCEPT_LANGUAGE="de-DE")) == "hit"


def test_the_signed_in_never_get_the_anonymous_page(client, clock, mentee):
    offering = OfferingFactory()
    url = offering.mentor.get_absolute_url()
    client.get(url)
    assert served(client.get(url)) == "hit"
    client.force_login(mentee)
    for _ in range(2):
        page = client.get(url)
        assert served(page) == "" and "Log out" in page.content.decode()


def test_each_visitor_gets_a_csrf_token_of_their_own_that_works(clock):
    offering = OfferingFactory()
    url = offering.get_absolute_url()
    tokens = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        page = visitor.get(url)
        html = page.content.decode()
        assert pagecache.CSRF_PLACEHOLDER not in html
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        tokens.append(token)
        changed = visitor.post(
            reverse("accounts:view_zone"), {"zone": "Asia/Tokyo", "next": url, "csrfmiddlewaretoken": token}
        )
        assert changed.status_code == 302
    assert served(page) == "hit" and tokens[0] != tokens[1]


def test_a_free_time_is_not_shown_from_the_cache_once_inside_the_notice(client, clock):
    offering = OfferingFactory()
    mentor = offering.mentor
    MentorProfile.objects.filter(pk=mentor.pk).update(
        upcoming_slots=[FIRST_FREE.isoformat(), (FIRST_FREE + timedelta(minutes=30)).isoformat()],
        next_free_slot_at=FIRST_FREE,
    )
    urls = [offering.get_absolute_url(), mentor.get_absolute_url(), "/mentors/"]
    shown = {
        urls[0]: ">07:00<",  # the picker, in UTC
        urls[1]: "Mon 1 Jun, 07:00",  # the profile's next free times
        urls[2]: "Next free: Mon 1 Jun, 07:00",  # the directory's card
    }
    for url in urls:
        assert shown[url] in client.get(url).content.decode(), url
        assert served(client.get(url)) == "hit", url
    clock.move_to(FIRST_FREE - mentor.notice + timedelta(seconds=1))
    for url in urls:
        page = client.get(url)
        assert served(page) == "miss" and shown[url] not in page.content.decode(), url


def test_a_card_is_rendered_once_for_every_list_and_again_when_its_mentor_changes(client, clock):
    offering = OfferingFactory()
    client.get("/mentors/")
    MentorProfile.objects.filter(pk=offering.mentor_id).update(
        headline="Helps with hiring"
    )  # no scope changed
    assert "Helps with hiring" not in client.get("/mentors/?sort=price").content.decode()  # the same card
    pagecache.changed(pagecache.mentor(offering.mentor_id))
    assert "Helps with hiring" in client.get("/mentors/?sort=rating").content.decode()


def new_visitor(client, url: str, n: int, **extra):
    """The same address from a visitor with a language of its own: the page is not in the cache,
    its sections (the directory's filters and results) may be."""
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=f"en-x-v{n}", **extra)
    assert served(page) == "miss"
    return page.content.decode()


def test_the_directory_of_a_new_visitor_shows_every_change_at_once(
    client, clock, django_capture_on_commit_callbacks
):
    offering = OfferingFactory(price_amount=0)
    mentor = offering.mentor
    assert "Free" in new_visitor(client, "/mentors/", 1)
    with django_capture_on_commit_callbacks(execute=True):  # the list's data: a price
        offering_save(
            mentor=mentor, offering=offering, price_amount=4500, prework_prompts=offering.prework_prompts
        )
    assert "from $45" in new_visitor(client, "/mentors/", 2)
    MentorProfile.objects.filter(pk=mentor.pk).update(headline="Helps with hiring")
    pagecache.changed(pagecache.mentor(mentor.pk))  # one listed mentor's data
    assert "Helps with hiring" in new_visitor(client, "/mentors/", 3)
    skill = SkillFactory(name="Kubernetes")
    with django_capture_on_commit_callbacks(execute=True):  # the skill menu
        mentor.skills.add(skill)
        directory_vocabulary_changed()
    assert '<option value="kubernetes"' in new_visitor(client, "/mentors/", 4)


def test_the_directory_sections_are_per_query_and_keep_the_page_valid(client, clock):
    OfferingFactory()
    chosen = new_visitor(client, "/mentors/?sort=price", 1)
    assert '<option value="price" selected>' in chosen
    other = new_visitor(client, "/mentors/?sort=rating", 2)
    assert '<option value="rating" selected>' in other and '<option value="price" selected>' not in other
    bad = new_visitor(client, "/mentors/?min_price=9&max_price=1", 3)
    assert "The maximum must be at least the minimum." in bad
    htmx = client.get("/mentors/?sort=price", HTTP_ACCEPT_LANGUAGE="en-x-v4", HTTP_HX_REQUEST="true")
    assert "<html" not in htmx.content.decode() and 'id="filters-count"' in htmx.content.decode()


def test_a_free_time_inside_the_notice_leaves_the_directory_results_too(client, clock):
    offering = OfferingFactory()
    MentorProfile.objects.filter(pk=offering.mentor_id).update(next_free_slot_at=FIRST_FREE)
    assert "Next free: Mon 1 Jun, 07:00" in new_visitor(client, "/mentors/", 1)
    clock.move_to(FIRST_FREE - offering.mentor.notice + timedelta(seconds=1))
    assert "Next free: Mon 1 Jun, 07:00" not in new_visitor(client, "/mentors/", 2)


def test_the_profile_of_a_new_visitor_shows_every_change_at_once(
    client, clock, django_capture_on_commit_callbacks
):
    offering = OfferingFactory(price_amount=0)
    mentor = offering.mentor
    cohort = CohortFactory(published=True, facilitator=mentor)
    url = mentor.get_absolute_url()
    assert "Free" in new_visitor(client, url, 1) and cohort.title in new_visitor(client, url, 2)
    with django_capture_on_commit_callbacks(execute=True):  # the mentor's offerings
        offering_save(
            mentor=mentor, offering=offering, price_amount=4500, prework_prompts=offering.prework_prompts
        )
    assert "$45" in new_visitor(client, url, 3)
    type(cohort).objects.filter(pk=cohort.pk).update(title="Hiring in six weeks")
    pagecache.changed(pagecache.COHORTS)  # the cohorts on sale
    assert "Hiring in six weeks" in new_visitor(client, url, 4)
    MentorProfile.objects.filter(pk=mentor.pk).update(
        upcoming_slots=[FIRST_FREE.isoformat()], next_free_slot_at=FIRST_FREE
    )
    pagecache.changed(pagecache.mentor(mentor.pk))  # a free time
    assert "Mon 1 Jun, 07:00" in new_visitor(client, url, 5)
    clock.move_to(FIRST_FREE - mentor.notice + timedelta(seconds=1))  # ... entering the notice
    assert "Mon 1 Jun, 07:00" not in new_visitor(client, url, 6)


def test_the_cohorts_of_a_new_visitor_show_every_change_at_once(client, clock):
    cohort = CohortFactory(published=True)
    url = reverse("cohorts:list")
    assert cohort.title in new_visitor(client, url, 1)
    type(cohort).objects.filter(pk=cohort.pk).update(title="Hiring in six weeks")
    pagecache.changed(pagecache.COHORTS)  # seats, dates, prices, titles of the cohorts on sale
    assert "Hiring in six weeks" in new_visitor(client, url, 2)
    assert "Hiring in six weeks" in new_visitor(client, url + "?seats=on", 3)


def test_the_offering_page_of_a_new_visitor_never_offers_a_booked_time(
    client, clock, django_capture_on_commit_callbacks
):
    offering = OfferingFactory()
    url = offering.get_absolute_url() + "?day=2026-06-02"
    assert ">07:00<" in new_visitor(client, url, 1)
    with django_capture_on_commit_callbacks(execute=True):
        book_nine_in_berlin(offering)
    assert ">07:00<" not in new_visitor(client, url, 2)
    assert ">07:00<" not in new_visitor(client, url, 3, HTTP_HX_REQUEST="true")
