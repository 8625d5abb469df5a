"""A shared link to a profile, an offering or a cohort previews well: a meta description and
Open Graph / Twitter card tags with absolute addresses and the person's photo."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core import avatars, images
from tests.cohorts.factories import CohortFactory
from tests.factories import MentorFactory, OfferingFactory

pytestmark = pytest.mark.django_db


def tags(html: str) -> dict[str, str]:
    head = html[: html.index("</head>")]
    found = re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', head)
    return dict(found)


@pytest.fixture
def mentor(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    mentor = MentorFactory(user__display_name="Ada Lovelace", headline="Engineering manager, ex-Stripe")
    stored = images.image_clean(
        SimpleUploadedFile("p.png", avatars.illustrated_avatar("Ada Lovelace", size=64))
    )
    mentor.photo.save(stored.name, stored)
    return mentor


def test_a_profile_has_its_open_graph_tags(client, mentor):
    meta = tags(client.get(mentor.get_absolute_url()).content.decode())
    url = f"http://testserver{mentor.get_absolute_url()}"
    assert meta["og:title"] == "Ada Lovelace — Engineering manager, ex-Stripe"
    assert meta["og:url"] == url
    assert meta["og:image"] == f"http://testserver/faces/256/{mentor.photo.name}"
    assert meta["twitter:card"] == "summary"
    assert meta["description"] == meta["og:description"]
    assert meta["description"].startswith("Engineering manager, ex-Stripe. 12 years of experience.")


def test_an_offering_has_its_open_graph_tags(client, mentor):
    offering = OfferingFactory(mentor=mentor, title="Career call", price_amount=4500, duration_minutes=30)
    meta = tags(client.get(offering.get_absolute_url()).content.decode())
    assert meta["og:title"] == "Career call with Ada Lovelace"
    assert meta["og:description"] == "30 minutes, $45: A decision on one job offer"
    assert meta["og:image"] == f"http://testserver/faces/256/{mentor.photo.name}"
    assert meta["og:url"] == f"http://testserver{offering.get_absolute_url()}"


def test_a_cohort_has_its_open_graph_tags(client, mentor):
    cohort = CohortFactory(published=True, facilitator=mentor)
    meta = tags(client.get(cohort.get_absolute_url()).content.decode())
    assert meta["og:title"] == cohort.title
    assert "a cohort led by Ada Lovelace" in meta["og:description"]
    assert meta["og:image"] == f"http://testserver/faces/256/{mentor.photo.name}"


def test_a_long_description_is_cut_to_160_characters(client, mentor):
    mentor.headline = "x" * 120
    mentor.save()
    meta = tags(client.get(mentor.get_absolute_url()).content.decode())
    assert len(meta["description"]) <= 160 and meta["description"].endswith("…")


def test_other_pages_have_a_site_description_and_no_open_graph(client):
    meta = tags(client.get("/").content.decode())
    assert "TheMentors" in meta["description"] and "og:title" not in meta
