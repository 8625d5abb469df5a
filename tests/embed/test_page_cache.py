"""The widget's pages come from the page cache like the offering page, and each still carries
its own mentor's frame-ancestors: a cached body never carries headers (embed/framing.py)."""

import pytest
from django.urls import reverse

from core import pagecache
from embed.models import Widget
from embed.services import widget_save
from tests.embed.test_views import frame_ancestors
from tests.factories import MentorFactory, OfferingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 300
    monkeypatch.setattr(pagecache, "CLOCK_MARGIN", 0.0)


def test_each_mentor_s_cached_widget_keeps_its_own_sites(client):
    greta, dora = MentorFactory(), MentorFactory()
    for mentor in (greta, dora):
        OfferingFactory(mentor=mentor)
    Widget.objects.create(mentor=greta, allowed_origins=["https://greta.example"])
    Widget.objects.create(mentor=dora, allowed_origins=["https://dora.example"])
    for _ in range(2):
        for mentor, site in ((greta, "https://greta.example"), (dora, "https://dora.example")):
            offering = mentor.offerings.get()
            for url in (
                reverse("embed:home", args=[mentor.slug]),
                reverse("embed:offering", args=[mentor.slug, offering.slug, "Europe/Berlin"]),
            ):
                response = client.get(url)
                assert frame_ancestors(response) == f"frame-ancestors {site}"
                assert "X-Frame-Options" not in response
    assert response[pagecache.HEADER] == "hit"


def test_a_site_taken_off_the_list_is_refused_at_once_even_from_the_cache(client):
    mentor = MentorFactory()
    OfferingFactory(mentor=mentor)
    widget_save(mentor=mentor, origins=["https://greta.example"], accent="blue")
    url = reverse("embed:home", args=[mentor.slug])
    assert client.get(url)[pagecache.HEADER] == "miss"
    widget_save(mentor=mentor, origins=[], accent="blue")
    response = client.get(url)
    assert frame_ancestors(response) == "frame-ancestors 'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert "switched off" in response.content.decode()
