import pytest
from django.urls import reverse

from mentors.models import MentorProfile
from sessions.models import Offering
from tests.factories import MentorFactory, OfferingFactory

pytestmark = pytest.mark.django_db


def offering_form(**overrides):
    data = {
        "title": "Pricing teardown",
        "outcome": "A new price for one product",
        "description": "We look at your pricing page.",
        "duration_minutes": "45",
        "price": "49.50",
        "currency": "USD",
        "cancellation_window_hours": "24",
        "join_url": "",
        "prework_prompts_text": "Link to your pricing page\nWho buys?",
    }
    data.update(overrides)
    return data


def test_a_mentor_creates_an_offering_with_the_price_in_minor_units(client):
    mentor = MentorFactory()
    client.force_login(mentor.user)
    response = client.post(reverse("mentors:offering_new"), offering_form())
    assert response.status_code == 302
    offering = Offering.objects.get(mentor=mentor)
    assert offering.price_amount == 4950 and offering.currency == "USD"
    assert offering.prework_prompts == ["Link to your pricing page", "Who buys?"]
    assert not offering.is_published
    client.post(reverse("mentors:offering_publish", args=[offering.slug]), {"published": "1"})
    offering.refresh_from_db()
    assert offering.is_published


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"duration_minutes": "90"}, "Select a valid choice"),
        ({"price": "-1"}, "greater than or equal to 0"),
        ({"price": "10.005"}, "decimal places"),
        ({"prework_prompts_text": "a\nb\nc\nd\ne\nf"}, "At most 5 prompts."),
        ({"title": ""}, "This field is required."),
        ({"join_url": "javascript:alert(1)"}, "Enter a valid URL."),
    ],
)
def test_bad_offering_input_is_refused(client, overrides, message):
    mentor = MentorFactory()
    client.force_login(mentor.user)
    response = client.post(reverse("mentors:offering_new"), offering_form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Offering.objects.exists()


def test_a_pending_mentor_cannot_publish(client):
    mentor = MentorFactory(status=MentorProfile.Status.PENDING)
    offering = OfferingFactory(mentor=mentor, is_published=False)
    client.force_login(mentor.user)
    client.post(reverse("mentors:offering_publish", args=[offering.slug]), {"published": "1"})
    offering.refresh_from_db()
    assert not offering.is_published


def test_a_mentor_cannot_edit_someone_elses_offering(client):
    offering = OfferingFactory()
    intruder = MentorFactory()
    client.force_login(intruder.user)
    assert client.get(reverse("mentors:offering_edit", args=[offering.slug])).status_code == 404
    assert (
        client.post(reverse("mentors:offering_publish", args=[offering.slug]), {"published": "0"}).status_code
        == 404
    )
    offering.refresh_from_db()
    assert offering.is_published
