from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from sessions.services import offering_set_published
from tests.factories import (
    LanguageFactory,
    MentorFactory,
    OfferingFactory,
    SkillFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
URL = "/mentors/"


def names(response) -> list[str]:
    return [m.user.display_name for m in response.context["page"].object_list]


@pytest.fixture
def mentors():
    python, design = (
        SkillFactory(name="Python", slug="python"),
        SkillFactory(name="Design", slug="design"),
    )
    english, german = (
        LanguageFactory(code="en", name="English"),
        LanguageFactory(code="de", name="German"),
    )
    now = datetime.now(tz=ZoneInfo("UTC"))

    def make(name, *, skill, language, price, duration, rating, free_at, headline="Mentor"):
        mentor = MentorFactory(
            user=UserFactory(display_name=name),
            headline=headline,
            rating_average=rating,
            rating_count=3 if rating else 0,
            next_free_slot_at=free_at,
        )
        mentor.skills.set([skill])
        mentor.languages.set([language])
        OfferingFactory(mentor=mentor, price_amount=price, duration_minutes=duration)
        return mentor

    make(
        "Ada",
        skill=python,
        language=english,
        price=0,
        duration=30,
        rating=Decimal("4.9"),
        free_at=now + timedelta(days=2),
        headline="Python performance",
    )
    make(
        "Bea",
        skill=design,
        language=german,
        price=9000,
        duration=60,
        rating=Decimal("4.2"),
        free_at=now + timedelta(days=20),
    )
    make(
        "Cem",
        skill=python,
        language=german,
        price=4500,
        duration=45,
        rating=None,
        free_at=now + timedelta(hours=20),
    )
    hidden = make(
        "Dot",
        skill=python,
        language=english,
        price=100,
        duration=30,
        rating=Decimal("5"),
        free_at=None,
    )
    for offering in hidden.offerings.all():  # no published offering: not listed
        offering_set_published(offering=offering, by=hidden.user, published=False)


def test_the_directory_lists_approved_mentors_with_published_offerings_best_rated_first(client, mentors):
    assert names(client.get(URL)) == ["Ada", "Bea", "Cem"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "python"}, ["Ada", "Cem"]),
        ({"q": "performance"}, ["Ada"]),
        ({"skill": "design"}, ["Bea"]),
        ({"language": "de"}, ["Bea", "Cem"]),
        ({"min_price": "40", "max_price": "50"}, ["Cem"]),
        ({"max_price": "0"}, ["Ada"]),
        ({"duration": "60"}, ["Bea"]),
        ({"available": "week"}, ["Ada", "Cem"]),
        ({"sort": "price"}, ["Ada", "Cem", "Bea"]),
        ({"sort": "soonest"}, ["Cem", "Ada", "Bea"]),
        ({"sort": "rating"}, ["Ada", "Bea", "Cem"]),
        ({"skill": "python", "sort": "price", "language": "de"}, ["Cem"]),
    ],
)
def test_filters_and_sorts(client, mentors, query, expected):
    assert names(client.get(URL, query)) == expected


def test_bad_filters_are_explained_and_ignored(client, mentors):
    response = client.get(URL, {"min_price": "lots", "duration": "7", "sort": "random", "max_price": "-5"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a whole number." in html and "Select a valid choice" in html
    assert names(response) == ["Ada", "Bea", "Cem"]


def test_min_above_max_is_explained(client, mentors):
    response = client.get(URL, {"min_price": "50", "max_price": "10"})
    assert "The maximum must be at least the minimum." in response.content.decode()


def test_htmx_gets_only_the_results(client, mentors):
    response = client.get(URL, {"skill": "python"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and "Ada" in html and "Bea" not in html


def test_results_are_paginated(client):
    for i in range(25):
        OfferingFactory(mentor=MentorFactory(user=UserFactory(display_name=f"Mentor {i:02d}")))
    first = client.get(URL)
    assert len(first.context["page"].object_list) == 20
    second = client.get(URL, {"page": "2"})
    assert len(second.context["page"].object_list) == 5
    assert client.get(URL, {"page": "nonsense"}).status_code == 200
    assert reverse("mentors:directory") == URL


@pytest.mark.parametrize(
    ("params", "label"),
    [
        ({}, "Filters</button>"),
        ({"sort": "price"}, "Filters</button>"),  # the order is not a filter
        ({"skill": "python", "duration": "30"}, "Filters (2)</button>"),
        ({"q": "  ", "min_price": "0", "available": "week"}, "Filters (2)</button>"),
        ({"min_price": "50", "max_price": "10"}, "Filters (1)</button>"),  # a bad maximum is ignored
    ],
)
def test_the_filters_button_says_how_many_filters_are_on(client, params, label):
    html = client.get(URL, params).content.decode()
    button = html[html.index('aria-controls="filters"') :]
    assert label in button[: button.index("</button>") + len("</button>")].replace(
        '<span id="filters-count">', ""
    ).replace("</span>", "")


def test_an_htmx_search_updates_the_filters_count_beside_the_results(client):
    html = client.get(URL, {"skill": "python"}, headers={"HX-Request": "true"}).content.decode()
    assert '<span id="filters-count" hx-swap-oob="true"> (1)</span>' in html and "<html" not in html
