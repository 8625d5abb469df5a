"""The booking e-mails show the mentee their mentor's photo, small and at an absolute address."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core import avatars, images
from sessions import emails
from tests.factories import BookingFactory, MentorFactory, OfferingFactory

pytestmark = pytest.mark.django_db


def html_of(message) -> str:
    return message.alternatives[0][0]


def test_the_confirmation_to_the_mentee_shows_the_mentors_photo(settings, tmp_path, mailoutbox):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.SITE_URL = "https://thementors.example"
    mentor = MentorFactory(user__display_name="Ada Lovelace", weekdays=False)
    drawn = avatars.illustrated_avatar("Ada Lovelace", size=64)
    stored = images.image_clean(SimpleUploadedFile("p.png", drawn))
    mentor.photo.save(stored.name, stored)
    booking = BookingFactory(offering=OfferingFactory(mentor=mentor))

    emails.send_booking_confirmed(booking_id=booking.pk)

    to_mentee, to_mentor = mailoutbox
    image = f'<img src="https://thementors.example/faces/96/{mentor.photo.name}" width="48" height="48"'
    assert image in html_of(to_mentee)
    assert "<img" not in html_of(to_mentor)


def test_without_a_photo_the_email_has_no_image(mailoutbox):
    booking = BookingFactory()
    emails.send_booking_confirmed(booking_id=booking.pk)
    assert all("<img" not in html_of(message) for message in mailoutbox)
