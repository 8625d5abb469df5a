"""A mentor edits their own profile at /mentor/profile/: what mentees read on the profile and
the directory changes at once, even where a signed-out visitor's page was cached; bad input is
explained next to its field and changes nothing; only mentors have the page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from core import pagecache
from mentors.models import MentorProfile
from tests.factories import LanguageFactory, MentorFactory, OfferingFactory, SkillFactory, UserFactory
from tests.mentors.test_photo_upload import image_bytes

pytestmark = pytest.mark.django_db
URL = "/mentor/profile/"
NOT_A_CHOICE = "Select a valid choice. xx is not one of the available choices."


@pytest.fixture(autouse=True)
def page_cache(settings, monkeypatch, tmp_path):
    settings.PAGE_CACHE_SECONDS = 300
    settings.MEDIA_ROOT = str(tmp_path / "media")
    monkeypatch.setattr(pagecache, "CLOCK_MARGIN", 0.0)  # one process, one clock


@pytest.fixture
def ada():
    mentor = MentorFactory(headline="Engineering manager", bio="I help new managers.", years_experience=9)
    mentor.skills.set([SkillFactory(name="Leadership")])
    mentor.languages.set([LanguageFactory(code="en", name="English")])
    OfferingFactory(mentor=mentor)  # the directory lists mentors with something to book
    return mentor


def edit(**changes):
    return {
        "headline": "Staff engineer who hires",
        "bio": "Fifteen years of **hiring** engineers.",
        "skills": "Hiring, System design",
        "languages": ["en"],
        "years_experience": "15",
        **changes,
    }


def test_the_form_opens_with_what_the_profile_says(client, ada):
    client.force_login(ada.user)
    form = client.get(URL).context["form"]
    assert form.initial["headline"] == "Engineering manager"
    assert form.initial["skills"] == "Leadership" and form.initial["languages"] == ["en"]
    assert "timezone" not in form.fields  # a booking rule, on the availability page


def test_a_change_shows_at_once_on_the_cached_profile_and_in_the_directory(
    client, ada, django_capture_on_commit_callbacks
):
    visitor = Client()
    assert "Engineering manager" in visitor.get(ada.get_absolute_url()).content.decode()
    assert "Engineering manager" in visitor.get("/mentors/").content.decode()
    assert visitor.get(ada.get_absolute_url()).get(pagecache.HEADER) == "hit"
    client.force_login(ada.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, edit())

    assert response.status_code == 302 and response.url == ada.get_absolute_url()
    ada.refresh_from_db()
    assert (ada.headline, ada.years_experience) == ("Staff engineer who hires", 15)
    assert sorted(ada.skills.values_list("name", flat=True)) == ["Hiring", "System design"]
    profile = visitor.get(ada.get_absolute_url()).content.decode()
    assert "Staff engineer who hires" in profile and "<strong>hiring</strong>" in profile
    assert "Engineering manager" not in profile
    directory = visitor.get("/mentors/").content.decode()
    assert "Staff engineer who hires" in directory and '<option value="hiring"' in directory


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"headline": ""}, "headline", "This field is required."),
        ({"skills": " , "}, "skills", "Add at least one skill."),
        ({"skills": ", ".join(f"s{n}" for n in range(13))}, "skills", "At most 12 skills."),
        ({"years_experience": "61"}, "years_experience", "Ensure this value is less than or equal to 60."),
        (
            {"languages": ["xx"]},
            "languages",
            "Select a valid choice. xx is not one of the available choices.",
        ),  # noqa: E501
    ],
)
def test_bad_input_is_explained_next_to_its_field_and_changes_nothing(client, ada, changes, field, message):
    client.force_login(ada.user)
    response = client.post(URL, edit(**changes))
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert MentorProfile.objects.get(pk=ada.pk).headline == "Engineering manager"
    assert list(ada.skills.values_list("name", flat=True)) == ["Leadership"]


def test_a_photo_is_replaced_checked_and_removed(client, ada):
    client.force_login(ada.user)
    upload = SimpleUploadedFile("me.png", image_bytes("PNG"), content_type="image/png")
    assert client.post(URL, edit(photo=upload)).status_code == 302
    ada.refresh_from_db()
    assert ada.photo.name.startswith("mentors/")

    assert client.post(URL, edit()).status_code == 302  # no new file: the photo stays
    ada.refresh_from_db()
    assert ada.photo

    not_an_image = SimpleUploadedFile("me.png", b"<?php echo 1; ?>", content_type="image/png")
    refused = client.post(URL, edit(photo=not_an_image))
    assert refused.status_code == 400 and refused.context["form"].errors["photo"]

    assert client.post(URL, edit(remove_photo="on")).status_code == 302
    ada.refresh_from_db()
    assert not ada.photo


def test_only_a_mentor_has_the_page(client):
    assert client.get(URL).status_code == 302  # to log in
    client.force_login(UserFactory())
    assert client.get(URL).status_code == 404
    assert client.post(URL, edit()).status_code == 404


def test_a_mentor_in_review_edits_their_application_and_stays_on_the_page(client):
    pending = MentorFactory(status=MentorProfile.Status.PENDING)
    LanguageFactory(code="en", name="English")
    client.force_login(pending.user)
    response = client.post(URL, edit())
    assert response.status_code == 302 and response.url == URL
    assert MentorProfile.objects.get(pk=pending.pk).headline == "Staff engineer who hires"


def test_the_mentor_finds_the_edit_link_on_their_own_public_profile_and_nobody_else_does(client, ada):
    link = f'href="{URL}"'
    assert link not in client.get(ada.get_absolute_url()).content.decode()  # signed out (cached)
    client.force_login(UserFactory())
    assert link not in client.get(ada.get_absolute_url()).content.decode()
    client.force_login(ada.user)
    assert link in client.get(ada.get_absolute_url()).content.decode()
