"""The directory's search (`/mentors/?q=`): what a mentee types finds mentors by name, headline,
skills, offering titles and bio, as they type; the search document follows every change of
those; nothing typed breaks the page; pages are read without counting every match.

Runs on both databases: PostgreSQL's full-text search and SQLite's substring fallback
(discover/search.py). Stemming ("designers" finds "design") is PostgreSQL's alone."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from discover import search
from discover.selectors import DirectoryQuery, directory_search
from mentors.models import MentorProfile
from sessions.models import Offering
from sessions.services import offering_save, offering_set_published
from tests.factories import MentorFactory, OfferingFactory, SkillFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/mentors/"


def found(client, q: str, **params) -> list[str]:
    response = client.get(URL, {"q": q, **params})
    assert response.status_code == 200
    return [m.user.display_name for m in response.context["page"].object_list]


def mentor(
    name: str, *, headline: str = "Mentor", bio: str = "Short sessions.", skills=(), title="Career chat"
):
    profile = MentorFactory(user=UserFactory(display_name=name), headline=headline, bio=bio)
    profile.skills.set([SkillFactory(name=s, slug=s.lower().replace(" ", "-")) for s in skills])
    OfferingFactory(mentor=profile, title=title)
    return profile


@pytest.fixture
def people():
    return {
        "ada": mentor("Ada Lovelace", headline="Kubernetes operator", skills=["Python"]),
        "bea": mentor("Bea Novak", skills=["Product design"], title="Portfolio critique"),
        "cem": mentor("Cem Yilmaz", bio="I ran **growth** at two startups.", title="Pitch deck feedback"),
    }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("Lovelace", ["Ada Lovelace"]),  # name
        ("kubernetes", ["Ada Lovelace"]),  # headline
        ("python", ["Ada Lovelace"]),  # skill
        ("portfolio", ["Bea Novak"]),  # offering title
        ("growth", ["Cem Yilmaz"]),  # bio
        ("kuber", ["Ada Lovelace"]),  # the start of a word, as it is being typed
        ("portf", ["Bea Novak"]),
        ("bea design", ["Bea Novak"]),  # every word must match
        ("bea python", []),
        ("PITCH Deck", ["Cem Yilmaz"]),  # case
    ],
)
def test_search_finds_mentors_by_what_they_show(client, people, q, expected):
    assert found(client, q) == expected


def test_a_draft_offerings_title_is_not_searchable(client, people):
    OfferingFactory(mentor=people["ada"], title="Secret salary workshop", is_published=False)
    assert found(client, "salary") == []


def test_the_headline_ranks_above_the_bio(client):
    mentor("Bio Only", bio="I mostly do kubernetes migrations.")
    mentor("Headline Too", headline="Kubernetes at scale")
    assert found(client, "kubernetes") == ["Headline Too", "Bio Only"]


def test_other_filters_still_apply_to_the_search(client, people):
    assert found(client, "python", skill="product-design") == []
    assert found(client, "python", skill="python") == ["Ada Lovelace"]


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="stemming is PostgreSQL's full-text search")
def test_on_postgresql_a_search_finds_other_forms_of_a_word(client, people):
    assert found(client, "designers") == ["Bea Novak"]
    assert found(client, "critiques") == ["Bea Novak"]


# --- the document follows the data --------------------------------------------------------------


def test_the_search_follows_a_new_headline_and_bio(client, people):
    ada = people["ada"]
    ada.headline, ada.bio = "Rust compilers", "Also zymurgy."
    ada.save()
    assert found(client, "kubernetes") == []
    assert found(client, "rust") == found(client, "zymurgy") == ["Ada Lovelace"]


def test_the_search_follows_a_renamed_user(client, people):
    user = people["bea"].user
    user.display_name = "Beatrix Quorn"  # as the settings page saves it
    user.save()
    assert found(client, "quorn") == ["Beatrix Quorn"]
    assert found(client, "novak") == []


def test_the_search_follows_skills_added_removed_and_renamed(client, people):
    cem = people["cem"]
    elixir = SkillFactory(name="Elixir", slug="elixir")
    cem.skills.add(elixir)
    assert found(client, "elixir") == ["Cem Yilmaz"]
    elixir.name = "Erlang"
    elixir.save()
    assert found(client, "elixir") == []
    assert found(client, "erlang") == ["Cem Yilmaz"]
    cem.skills.remove(elixir)
    assert found(client, "erlang") == []


def test_the_search_follows_offerings_written_published_and_unpublished(client, people):
    ada = people["ada"]
    offering = offering_save(
        mentor=ada, title="Terraform review", outcome="A plan", duration_minutes=30, price_amount=0
    )
    assert found(client, "terraform") == []  # a draft
    offering = offering_set_published(offering=offering, by=ada.user, published=True)
    assert found(client, "terraform") == ["Ada Lovelace"]
    offering_save(mentor=ada, offering=offering, title="Ansible review")
    assert found(client, "terraform") == []
    assert found(client, "ansible") == ["Ada Lovelace"]
    offering_set_published(offering=offering, by=ada.user, published=False)
    assert found(client, "ansible") == []


def test_the_search_follows_offerings_changed_in_bulk(client, people):
    Offering.objects.filter(mentor=people["bea"]).update(title="Brand strategy")
    assert found(client, "portfolio") == []
    assert found(client, "brand") == ["Bea Novak"]
    Offering.objects.filter(mentor=people["bea"]).delete()
    assert found(client, "brand") == []


# --- anything typed ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        "'",
        '"',
        "\\",
        "&|!:*()",
        "design:* & !python",
        "a & (b | !c)",
        "''; DROP TABLE mentors_mentorprofile; --",
        "%_%",
        "<script>alert(1)</script>",
        "José 日本語 Ünïcödé 🙂",
        "x" * 99,
        "word " * 19,
        "x" * 5000,  # too long for the form: explained and ignored
        "   ",
    ],
)
def test_anything_typed_answers_a_page(client, people, q):
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    assert b"Find a mentor" in response.content


def test_a_nul_character_is_refused_as_everywhere_on_the_site(client, people):
    assert client.get(URL, {"q": "null\x00byte"}).status_code == 400


def test_punctuation_alone_matches_no_one(client, people):
    assert found(client, "&|!") == []


# --- pages without counting ----------------------------------------------------------------------


def test_no_page_of_the_directory_counts_its_matches(client, people):
    for params in ({}, {"q": "design"}, {"q": "a"}, {"page": "2"}, {"q": "python", "available": "week"}):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, params).status_code == 200
        sql = " ".join(q["sql"].upper() for q in queries.captured_queries)
        assert "COUNT(" not in sql, params


def test_search_results_page_forwards_and_back(client):
    for i in range(25):
        mentor(f"Pager {i:02d}", headline="Figma mentor")
    mentor("Someone Else")

    first = client.get(URL, {"q": "figma"})
    page = first.context["page"]
    html = first.content.decode()
    assert len(page.object_list) == 20 and page.has_next and not page.has_previous
    assert "Mentors 1–20" in html and "Page 1" in html and "?q=figma&page=2" in html

    second = client.get(URL, {"q": "figma", "page": "2"})
    page = second.context["page"]
    html = second.content.decode()
    assert len(page.object_list) == 5 and not page.has_next and page.has_previous
    assert "25 mentors" in html and "?q=figma&page=1" in html and "Next →" not in html
    names = {m.user.display_name for m in first.context["page"].object_list}
    assert names.isdisjoint(m.user.display_name for m in page.object_list)

    beyond = client.get(URL, {"q": "figma", "page": "7"})
    assert not beyond.context["page"].object_list
    assert "No more mentors match these filters." in beyond.content.decode()
    for nonsense in ("0", "-3", "two", "99999999999999999999"):
        assert client.get(URL, {"q": "figma", "page": nonsense}).status_code == 200


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the ranked window is PostgreSQL's")
def test_best_match_ranks_the_best_rated_matches_then_lists_the_rest_by_rating(monkeypatch):
    monkeypatch.setattr(search, "RANKED", 2)
    rated = {}
    for name, rating, headline in [
        ("Low bio", "3.0", "Mentor"),
        ("Top bio", "5.0", "Mentor"),
        ("Mid headline", "4.5", "Figma expert"),
        ("Lower headline", "3.5", "Figma expert"),
        ("Least bio", "2.0", "Mentor"),
    ]:
        rated[name] = mentor(name, headline=headline, bio="Some figma work.")
        MentorProfile.objects.filter(pk=rated[name].pk).update(rating_average=Decimal(rating), rating_count=3)

    results = directory_search(query=DirectoryQuery(q="figma"))
    everyone = [m.user.display_name for m in results[0:21]]
    # The two best-rated, the headline match first; then the others by rating.
    assert everyone == ["Mid headline", "Top bio", "Lower headline", "Low bio", "Least bio"]
    for start in range(5):
        for stop in range(start + 1, 7):
            assert [m.user.display_name for m in results[start:stop]] == everyone[start:stop]
