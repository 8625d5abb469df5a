"""Faces for people without a photo: the demo's illustrated portraits and the initials avatar."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from PIL import Image

from core import avatars, images
from tests.factories import MentorFactory, UserFactory

NAMES = ["Ada Lovelace", "Grace Hopper", "Priya Raman", "Kwame Mensah", "Li Wei", "Sofia Rossi"]


def test_the_same_name_always_draws_the_same_portrait():
    assert avatars.illustrated_avatar("Ada Lovelace", size=64) == avatars.illustrated_avatar(
        "Ada Lovelace", size=64
    )


def test_different_names_draw_different_portraits():
    drawn = {avatars.illustrated_avatar(name, size=64) for name in NAMES}
    assert len(drawn) == len(NAMES)
    # Not just different bytes: the faces differ in what is drawn (hair, skin, background, ...).
    assert len({tuple(sorted(avatars.features(name).items())) for name in NAMES}) == len(NAMES)


def test_a_portrait_is_a_square_png_of_the_asked_size_that_passes_the_upload_checks():
    drawn = avatars.illustrated_avatar("Grace Hopper", size=128)
    with Image.open(io.BytesIO(drawn)) as image:
        assert (image.format, image.size) == ("PNG", (128, 128))
    stored = images.image_clean(SimpleUploadedFile("portrait.png", drawn))
    assert stored.name.endswith(".jpg")


def test_hair_never_melts_into_the_face():
    for n in range(300):
        f = avatars.features(f"Person {n}")
        assert abs(avatars._lightness(f["hair"]) - avatars._lightness(f["skin"])) >= 30


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ada Lovelace", "AL"),
        ("grace", "G"),
        ("Jean-Luc Picard", "JP"),
        ("Mary Ann de la Cruz", "MC"),
        ("", "?"),
    ],
)
def test_initials_are_the_first_and_last_words_first_letters(name, expected):
    assert avatars.initials(name) == expected


def test_a_person_keeps_their_colour_and_people_spread_over_the_colours():
    assert avatars.colour_index("Ada Lovelace") == avatars.colour_index(" ada lovelace ")
    colours = {avatars.colour_index(f"Person {n}") for n in range(200)}
    assert colours == set(range(avatars.INITIALS_COLOURS))


def render(person, size=""):
    return Template("{% load product %}{% avatar person size %}").render(
        Context({"person": person, "size": size})
    )


@pytest.mark.django_db
def test_without_a_photo_the_avatar_is_the_initials_on_the_persons_colour():
    mentor = MentorFactory(user__display_name="Ada Lovelace", weekdays=False)
    html = render(mentor)
    colour = avatars.colour_index("Ada Lovelace")
    assert f'<span class="avatar avatar-c{colour}" aria-hidden="true">AL</span>' in html
    assert render(mentor.user) == html  # the same face for the user as for their profile
    assert 'avatar-lg"' in render(UserFactory(display_name="Grace Hopper"), "lg")


@pytest.mark.django_db
def test_with_a_photo_the_avatar_is_the_photo(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    mentor = MentorFactory(user__display_name="Ada Lovelace", weekdays=False)
    stored = images.image_clean(
        SimpleUploadedFile("p.png", avatars.illustrated_avatar("Ada Lovelace", size=64))
    )
    mentor.photo.save(stored.name, stored)
    html = render(mentor, "sm")
    small, sharp = f"/faces/32/{mentor.photo.name}", f"/faces/64/{mentor.photo.name}"
    assert f'src="{small}" srcset="{sharp} 2x"' in html
    assert 'width="32" height="32"' in html and 'alt=""' in html


@pytest.mark.django_db
def test_a_face_is_the_photo_cut_to_the_square_the_page_shows(client, settings, tmp_path):
    """A page of twenty mentors downloads twenty small squares, not twenty 1024-pixel photos."""
    settings.MEDIA_ROOT = str(tmp_path)
    mentor = MentorFactory(user__display_name="Ada Lovelace", weekdays=False)
    wide = io.BytesIO()
    Image.new("RGB", (900, 600), "#3366aa").save(wide, format="JPEG")
    stored = images.image_clean(SimpleUploadedFile("p.jpg", wide.getvalue()))
    mentor.photo.save(stored.name, stored)

    for px in (56, 112):
        response = client.get(f"/faces/{px}/{mentor.photo.name}")
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert "immutable" in response["Cache-Control"]
        with Image.open(io.BytesIO(response.content)) as face:
            assert (face.format, face.size) == ("JPEG", (px, px))
        assert len(response.content) < mentor.photo.size / 2

    missing = "mentors/" + "0" * 32 + ".jpg"
    for path in [f"/faces/57/{mentor.photo.name}", f"/faces/56/{missing}", "/faces/56/../settings.py"]:
        assert client.get(path).status_code == 404, path
