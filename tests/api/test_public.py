"""The public reads: the directory with its filters, offerings, free slots on a day in a zone,
cohorts and their seats; pagination, the one error shape, rate limits."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from sessions.selectors import offering_slots_for_day
from tests.billing.helpers import next_weekday_at
from tests.cohorts.factories import CohortFactory
from tests.factories import MentorFactory, OfferingFactory, SkillFactory

pytestmark = pytest.mark.django_db


def test_the_directory_filters_like_the_page(client):
    python = SkillFactory(name="Python", slug="python")
    cheap = OfferingFactory(price_amount=2000, mentor=MentorFactory(slug="ada")).mentor
    cheap.skills.add(python)
    OfferingFactory(price_amount=9000, mentor=MentorFactory(slug="grace"))
    body = client.get("/api/v1/mentors", {"skill": "python"}).json()
    assert [m["slug"] for m in body["results"]] == ["ada"]
    assert body["results"][0]["skills"] == [{"slug": "python", "name": "Python"}]
    body = client.get("/api/v1/mentors", {"max_price": 50, "sort": "price"}).json()
    assert [m["slug"] for m in body["results"]] == ["ada"]
    assert body["results"][0]["lowest_price_amount"] == 2000


def test_a_filter_the_page_refuses_is_refused_with_the_pages_message(client):
    response = client.get("/api/v1/mentors", {"min_price": 90, "max_price": 10})
    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": "Some of what was sent is not valid: see the fields.",
            "fields": {"max_price": ["The maximum must be at least the minimum."]},
        }
    }
    wrong_type = client.get("/api/v1/mentors", {"limit": "lots"}).json()
    assert wrong_type["error"]["code"] == "invalid"
    assert wrong_type["error"]["fields"] == {"limit": ["Enter a whole number."]}


@pytest.mark.parametrize(
    ("query", "language", "expected"),
    [
        ({"limit": "0"}, "en", {"limit": ["Ensure this value is greater than or equal to 1."]}),
        ({"limit": "500"}, "de", {"limit": ["Dieser Wert muss kleiner oder gleich 100 sein."]}),
        (
            {"sort": "cheapest"},
            "es",
            {"sort": ["Escoja una opción válida. cheapest no es una de las opciones disponibles."]},
        ),
        ({"q": "x" * 101}, "en", {"q": ["Ensure this value has at most 100 characters (it has 101)."]}),
        ({"skill": "no spaces"}, "en", {"skill": ["Enter a valid value."]}),
    ],
)
def test_input_of_the_wrong_kind_gets_the_forms_message_in_the_readers_language(
    client, query, language, expected
):
    response = client.get("/api/v1/mentors", query, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 422 and response.json()["error"]["fields"] == expected


def test_pages_have_next_and_previous_links(client):
    for n in range(5):
        OfferingFactory(mentor=MentorFactory(slug=f"m{n}"))
    first = client.get("/api/v1/offerings", {"limit": 2}).json()
    assert len(first["results"]) == 2 and first["previous"] is None
    assert first["next"].startswith("http://testserver/api/v1/offerings?")
    second = client.get(first["next"]).json()
    assert second["offset"] == 2 and second["previous"]
    last = client.get("/api/v1/offerings", {"limit": 2, "offset": 4}).json()
    assert len(last["results"]) == 1 and last["next"] is None
    seen = {o["slug"] for page in (first, second, last) for o in page["results"]}
    assert len(seen) == 5


def test_a_mentor_with_their_offerings_and_an_unknown_one(client, free_offering):
    body = client.get(f"/api/v1/mentors/{free_offering.mentor.slug}").json()
    assert [o["slug"] for o in body["offerings"]] == ["career-call"]
    assert body["offerings"][0]["prework_prompts"] == free_offering.prework_prompts
    missing = client.get("/api/v1/mentors/nobody")
    assert missing.status_code == 404
    assert missing.json()["error"] == {"code": "not_found", "message": "No such mentor.", "fields": {}}


def test_free_slots_for_a_day_in_the_zone_asked_for_are_the_pickers(client, free_offering):
    day = next_weekday_at(10).date()
    zone = ZoneInfo("Asia/Tokyo")
    body = client.get(
        "/api/v1/offerings/career-call/slots", {"day": day.isoformat(), "timezone": "Asia/Tokyo"}
    ).json()
    expected = offering_slots_for_day(offering=free_offering, day=day, zone=zone)
    assert body["timezone"] == "Asia/Tokyo" and body["duration_minutes"] == 30
    assert [s["starts_at"] for s in body["slots"]] == [
        s.astimezone(ZoneInfo("UTC")).isoformat().replace("+00:00", "Z") for s in expected
    ]
    assert body["slots"][0]["local_starts_at"].endswith("+09:00")
    assert len(body["slots"]) > 0


def test_a_day_long_past_or_far_ahead_has_no_slots_and_a_wrong_zone_is_refused(client, free_offering):
    far = client.get("/api/v1/offerings/career-call/slots", {"day": "9999-12-31"}).json()
    assert far["slots"] == []
    old = client.get("/api/v1/offerings/career-call/slots", {"day": "0001-01-01"}).json()
    assert old["slots"] == []
    wrong = client.get("/api/v1/offerings/career-call/slots", {"timezone": "Mars/Olympus"})
    assert wrong.status_code == 422
    assert wrong.json()["error"]["fields"] == {
        "timezone": ["Choose a time zone from the list, e.g. Europe/Berlin."]
    }


def test_cohorts_show_their_seats_left_and_drafts_stay_hidden(client):
    CohortFactory(slug="launch", published=True, seats_max=8)
    CohortFactory(slug="secret")
    body = client.get("/api/v1/cohorts").json()
    assert [(c["slug"], c["seats_left"], c["phase"]) for c in body["results"]] == [("launch", 8, "open")]
    assert client.get("/api/v1/cohorts/launch").json()["seats_max"] == 8
    assert client.get("/api/v1/cohorts/secret").status_code == 404


def test_unknown_addresses_and_methods_answer_in_the_one_shape(client):
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing["Content-Type"].startswith("application/json")
    assert missing.json()["error"]["code"] == "not_found"
    wrong_method = client.delete("/api/v1/mentors")
    assert wrong_method.status_code == 405 and "GET" in wrong_method["Allow"]
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"


def test_anonymous_reads_are_limited_per_address_with_retry_after(client, settings):
    settings.RATELIMIT_API_ANONYMOUS = "3/m"
    answers = [client.get("/api/v1/offerings").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    response = client.get("/api/v1/offerings")
    assert int(response["Retry-After"]) >= 1
    assert response.json()["error"]["code"] == "rate_limited"


def test_a_token_is_limited_on_its_own_not_by_its_address(client, settings, token_of, api_mentee):
    settings.RATELIMIT_API_ANONYMOUS = "1/m"
    settings.RATELIMIT_API_PER_TOKEN = "3/m"
    header = token_of(api_mentee)
    assert client.get("/api/v1/offerings").status_code == 200
    assert [client.get("/api/v1/offerings", **header).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_a_wrong_token_is_refused_even_on_public_reads(client):
    response = client.get("/api/v1/offerings", HTTP_AUTHORIZATION="Bearer tm_12345678_nope")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_the_schema_and_its_page_are_served_from_the_site(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "TheMentors API"
    assert "/api/v1/offerings/{slug}/slots" in schema["paths"]
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html and "cdn" not in html.lower()


def test_times_are_utc(client, free_offering):
    day = (timezone.now() + timedelta(days=3)).date()
    body = client.get("/api/v1/offerings/career-call/slots", {"day": day.isoformat()}).json()
    assert all(s["starts_at"].endswith("Z") for s in body["slots"])
