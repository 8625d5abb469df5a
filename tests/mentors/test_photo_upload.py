"""The mentor photo: decoded by Pillow (never trusted by its name), limited in size and type,
and re-encoded without its metadata before it is stored."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from core import images
from mentors.models import MentorProfile
from tests.factories import LanguageFactory, MentorFactory, SkillFactory, UserFactory

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
ORIENTATION = 0x0112


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def application(photo):
    return {
        "headline": "Engineering manager at a scale-up",
        "bio": "I help new managers.",
        "skills": "Leadership",
        "languages": [LanguageFactory().code],
        "years_experience": "9",
        "timezone": "Europe/Paris",
        "photo": photo,
    }


def image_bytes(format: str, size=(40, 30), mode="RGB", **save_args) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "teal").save(out, format=format, **save_args)
    return out.getvalue()


def apply_with(client, photo):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("mentors:apply"), application(photo))
    return response, MentorProfile.objects.filter(user=user).first()


def field_errors(response) -> list[str]:
    return response.context["form"].errors.get("photo", [])


def test_a_small_png_is_stored_re_encoded_under_a_name_of_our_own(client):
    upload = SimpleUploadedFile("me at home.png", image_bytes("PNG"), content_type="image/png")
    response, mentor = apply_with(client, upload)
    assert response.status_code == 302
    assert mentor.photo.name.startswith("mentors/") and "me at home" not in mentor.photo.name
    with Image.open(mentor.photo.path) as stored:
        assert stored.format == "JPEG" and stored.size == (40, 30)


def test_a_transparent_png_stays_a_png():
    upload = SimpleUploadedFile("logo.png", image_bytes("PNG", mode="RGBA"))
    with Image.open(images.image_clean(upload)) as stored:
        assert stored.format == "PNG" and stored.mode == "RGBA"


def test_a_jpeg_loses_its_exif_and_location_and_is_turned_upright(client):
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."  # Make
    exif[ORIENTATION] = 6  # rotate 90° clockwise to display
    exif[GPS_IFD] = {1: "N", 2: (48.0, 51.0, 24.0)}
    raw = image_bytes("JPEG", size=(60, 20), exif=exif.tobytes())
    with Image.open(io.BytesIO(raw)) as original:
        assert original.getexif()[0x010F] == "SpyCam Inc."

    response, mentor = apply_with(client, SimpleUploadedFile("holiday.jpg", raw, content_type="image/jpeg"))

    assert response.status_code == 302
    stored_bytes = mentor.photo.read()
    assert b"SpyCam" not in stored_bytes and b"Exif" not in stored_bytes
    with Image.open(io.BytesIO(stored_bytes)) as stored:
        assert len(stored.getexif()) == 0
        assert "exif" not in stored.info
        assert stored.size == (20, 60)


def test_a_big_picture_is_shrunk_to_1024_pixels():
    upload = SimpleUploadedFile("big.webp", image_bytes("WEBP", size=(3000, 1500)))
    with Image.open(images.image_clean(upload)) as stored:
        assert stored.size == (1024, 512)


def test_a_text_file_named_like_an_image_is_refused_next_to_the_field(client):
    upload = SimpleUploadedFile("photo.png", b"#!/bin/sh\necho not a picture\n", content_type="image/png")
    response, mentor = apply_with(client, upload)
    assert response.status_code == 400 and mentor is None
    assert field_errors(response) == [images.NOT_AN_IMAGE]
    assert 'id="id_photo_error"' in response.content.decode()


def test_an_image_of_another_type_is_refused_with_its_type_named(client):
    upload = SimpleUploadedFile("anim.jpg", image_bytes("GIF"), content_type="image/jpeg")
    response, mentor = apply_with(client, upload)
    assert mentor is None
    assert field_errors(response) == ["GIF images are not accepted. Upload a JPEG, PNG or WebP photo."]


def test_a_file_over_5_mb_is_refused_before_it_is_decoded(client):
    too_big = image_bytes("PNG") + b"\0" * 2 * images.MAX_BYTES
    response, mentor = apply_with(client, SimpleUploadedFile("huge.png", too_big))
    assert mentor is None
    assert field_errors(response) == ["This file is 10.0\xa0MB; photos can be at most 5.0\xa0MB."]


def test_a_decompression_bomb_is_refused_without_being_decoded():
    bomb = image_bytes("PNG", size=(8000, 8000), mode="1")
    assert len(bomb) < images.MAX_BYTES
    with pytest.raises(ValidationError) as refused:
        images.image_clean(SimpleUploadedFile("bomb.png", bomb))
    assert refused.value.code == "too_many_pixels"


def test_a_truncated_image_is_not_an_image(client):
    broken = image_bytes("JPEG", size=(200, 200))[:300]
    response, mentor = apply_with(client, SimpleUploadedFile("cut.jpg", broken))
    assert mentor is None and field_errors(response) == [images.NOT_AN_IMAGE]


def test_a_photo_uploaded_in_the_admin_is_checked_and_re_encoded_too(admin_client):
    mentor = MentorFactory()
    change = reverse("admin:mentors_mentorprofile_change", args=[mentor.pk])
    form = admin_client.get(change).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        user=mentor.user_id,
        skills=[s.pk for s in mentor.skills.all()] or [SkillFactory().pk],
        languages=[LanguageFactory(code="en", name="English").pk],
        **{
            f"{prefix}-{key}": value
            for prefix in ("weekly_rules", "date_overrides")
            for key, value in {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0, "MIN_NUM_FORMS": 0}.items()
        },
    )
    data.pop("photo", None)

    refused = admin_client.post(change, {**data, "photo": SimpleUploadedFile("x.png", b"not a picture")})
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["photo"] == [images.NOT_AN_IMAGE]

    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."
    photo = SimpleUploadedFile("staff.jpg", image_bytes("JPEG", exif=exif.tobytes()))
    response = admin_client.post(change, {**data, "photo": photo})
    assert response.status_code == 302, response.context["adminform"].form.errors
    mentor.refresh_from_db()
    assert b"SpyCam" not in mentor.photo.read()
