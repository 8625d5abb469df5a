"""The Moderators group moderates without touching money: upheld reports take
offerings down and hide messages, every decision needs a reason, prices are the superuser's."""

import pytest
from django.urls import reverse

from moderation import services
from moderation.models import AuditEntry, Report
from qa.models import ThreadReader
from qa.services import message_post, thread_for_booking
from sessions.models import Booking, Review
from tests.factories import BookingFactory, OfferingFactory, UserFactory
from tests.support import offering_admin_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator():
    user = UserFactory(is_staff=True)
    user.groups.add(services.moderators_group_sync())
    return user


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def offering():
    return OfferingFactory(price_amount=4500, is_published=True)


def test_the_moderators_group_can_moderate_but_not_run_the_business(moderator):
    assert services.moderators_group_sync().name == "Moderators"
    can = [
        "mentors.change_mentorprofile",
        "mentoring.change_review",
        "moderation.change_report",
        "mentoring.change_offering",
        "billing.view_payment",
        "qa.view_message",
        "moderation.change_noshowdispute",
        "mentors.view_suspension",
        "moderation.view_strike",
    ]
    cannot = [
        "billing.change_payment",
        "cohorts.change_cohort",
        "subscriptions.change_plan",
        "accounts.change_user",
        "moderation.change_auditentry",
        "mentoring.delete_offering",
    ]
    assert all(moderator.has_perm(p) for p in can)
    assert not any(moderator.has_perm(p) for p in cannot)


def test_a_moderator_can_edit_an_offering_but_not_its_price(moderator_client, offering):
    url = reverse("admin:mentoring_offering_change", args=[offering.pk])
    page = moderator_client.get(url).content.decode()
    assert 'name="title"' in page and 'name="price_amount"' not in page

    form = offering_admin_form(offering, title="Clearer title", price_amount=1)
    response = moderator_client.post(url, form)
    assert response.status_code == 302
    offering.refresh_from_db()
    assert (offering.title, offering.price_amount) == ("Clearer title", 4500)


def test_a_superuser_can_change_a_price_and_the_mentor_card_follows(admin_client, offering):
    url = reverse("admin:mentoring_offering_change", args=[offering.pk])
    assert admin_client.post(url, offering_admin_form(offering, price_amount=3000)).status_code == 302
    offering.refresh_from_db()
    offering.mentor.refresh_from_db()
    assert offering.price_amount == 3000 and offering.mentor.min_published_price == 3000


def test_a_moderator_does_not_get_the_cohort_refund_action(moderator_client):
    page = moderator_client.get(reverse("admin:cohorts_cohort_changelist"))
    assert page.status_code == 200 and "cancel_and_refund" not in page.content.decode()


def test_upholding_an_offering_report_takes_it_down_and_tells_the_mentor(
    moderator, offering, django_capture_on_commit_callbacks, mailoutbox
):
    report = services.report_create(reporter=UserFactory(), target=offering, reason="misleading")
    with django_capture_on_commit_callbacks(execute=True):
        services.report_decide(report=report, by=moderator, uphold=True, note="Promises a job offer")

    offering.refresh_from_db()
    assert not offering.is_published
    decisions = AuditEntry.objects.exclude(action="staff.sign_in")
    assert set(decisions.values_list("action", flat=True)) == {"report.uphold", "offering.take_down"}
    [mail] = mailoutbox
    assert mail.to == [offering.mentor.user.email] and "was taken down" in mail.subject
    assert "Promises a job offer" in mail.body


def test_upholding_a_message_report_hides_it_from_the_thread_and_its_emails(
    client, moderator, django_capture_on_commit_callbacks
):
    booking = BookingFactory(state=Booking.State.CONFIRMED)
    thread = thread_for_booking(booking=booking)
    message = message_post(thread=thread, author=booking.mentor.user, body="Pay me on another site")
    report = services.report_create(reporter=booking.mentee, target=message, reason="abuse")

    services.report_decide(report=report, by=moderator, uphold=True, note="Off-platform payment")

    message.refresh_from_db()
    assert message.hidden_at is not None and report.target == message
    client.force_login(booking.mentee)
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "Pay me on another site" not in page and "hidden by TheMentors moderators" in page
    from qa.services import unread_messages

    assert unread_messages(reader=ThreadReader.objects.get(thread=thread, user=booking.mentee)) == []
    refused = client.post(reverse("moderation:report", args=["message", message.pk]), {"reason": "spam"})
    assert refused.status_code == 404  # a hidden message is no longer there to report
    assert AuditEntry.objects.filter(action="message.hide", actor=moderator).exists()
    assert Report.objects.get().status == Report.Status.UPHELD


def test_takedown_and_review_hiding_from_the_lists_need_a_reason(moderator_client, offering, moderator):
    review = Review.objects.create(
        booking=BookingFactory(state=Booking.State.COMPLETED), rating=1, text="Spam"
    )
    offerings = reverse("admin:mentoring_offering_changelist")
    reviews = reverse("admin:mentoring_review_changelist")

    refused = moderator_client.post(
        offerings, {"action": "take_down", "_selected_action": [offering.pk], "note": ""}, follow=True
    )
    assert "Give a reason" in refused.content.decode()
    moderator_client.post(reviews, {"action": "hide", "_selected_action": [review.pk], "note": " "})
    offering.refresh_from_db()
    review.refresh_from_db()
    decisions = AuditEntry.objects.exclude(action="staff.sign_in")  # signing in is recorded too
    assert offering.is_published and not review.is_hidden and not decisions.exists()

    moderator_client.post(
        offerings, {"action": "take_down", "_selected_action": [offering.pk], "note": "Copied"}
    )
    moderator_client.post(reviews, {"action": "hide", "_selected_action": [review.pk], "note": "Advert"})
    offering.refresh_from_db()
    review.refresh_from_db()
    assert not offering.is_published and review.is_hidden
    decisions = AuditEntry.objects.exclude(action="staff.sign_in").order_by("pk")
    assert list(decisions.values_list("action", "reason", "actor")) == [
        ("offering.take_down", "Copied", moderator.pk),
        ("review.hide", "Advert", moderator.pk),
    ]


def test_the_queue_shows_what_waits_oldest_first_with_links(moderator_client):
    from mentors.models import MentorProfile
    from tests.factories import MentorFactory

    applicant = MentorFactory(status=MentorProfile.Status.PENDING, headline="Staff engineer, 12 years")
    booking = BookingFactory(state=Booking.State.COMPLETED)
    review = Review.objects.create(booking=booking, rating=1, text="Spam")
    services.report_create(reporter=UserFactory(), target=review, reason="spam")
    services.report_create(reporter=UserFactory(), target=review, reason="abuse")
    assert "Moderation queue" in moderator_client.get(reverse("admin:index")).content.decode()

    page = moderator_client.get(reverse("admin:moderation_queue"))

    assert page.status_code == 200
    sections = {s.title: s for s in page.context["sections"]}
    assert sections["Mentor applications"].count == 1
    assert "Staff engineer, 12 years" in sections["Mentor applications"].items[0].text
    assert sections["Reported reviews"].count == 2 and sections["Reported offerings"].count == 0
    html = page.content.decode()
    assert reverse("admin:mentors_mentorprofile_change", args=[applicant.pk]) in html
    assert "status__exact=open&amp;kind__exact=review" in html
    assert sections["Contested no-shows"].count == 0
    assert sections["Mentors suspended by the strike rule"].count == 0
    for section in page.context["sections"]:
        assert moderator_client.get(section.list_url).status_code == 200, section.list_url


def test_the_queue_is_for_staff_who_moderate(client):
    url = reverse("admin:moderation_queue")
    assert client.get(url).status_code == 302  # to the admin login
    client.force_login(UserFactory(is_staff=True))  # staff, but not a moderator
    assert client.get(url).status_code == 403
