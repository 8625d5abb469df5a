"""Users report reviews, messages, profiles and offerings; staff decide in the admin,
and every decision leaves an audit row."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from moderation import services
from moderation.models import AuditEntry, Report
from qa.services import message_post, thread_for_booking
from sessions.models import Booking, Review
from tests.factories import BookingFactory, MentorFactory, OfferingFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking():
    return BookingFactory(state=Booking.State.COMPLETED)


@pytest.fixture
def review(booking):
    return Review.objects.create(booking=booking, rating=1, text="Buy cheap watches at spam.example")


@pytest.fixture
def message(booking):
    thread = thread_for_booking(booking=booking)
    return message_post(thread=thread, author=booking.mentor.user, body="Please pay me outside the platform.")


@pytest.fixture
def stranger():
    return UserFactory()


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, is_superuser=True)


def report_url(kind, pk, next_url=None):
    url = reverse("moderation:report", args=[kind, pk])
    return f"{url}?next={next_url}" if next_url else url


def post_report(client, kind, pk, reason="spam", note="", next_url=""):
    return client.post(report_url(kind, pk), {"reason": reason, "note": note, "next": next_url})


# --- reporting -------------------------------------------------------------------------------


def test_anyone_signed_in_can_report_a_public_review_and_is_sent_back(client, review, stranger):
    client.force_login(stranger)
    profile_url = review.booking.mentor.get_absolute_url()
    page = client.get(report_url("review", review.pk, profile_url))
    assert page.status_code == 200 and "spam.example" in page.content.decode()

    response = post_report(client, "review", review.pk, note="An advert", next_url=profile_url)

    assert response.status_code == 302 and response.url == profile_url
    report = Report.objects.get()
    assert (report.reporter, report.target, report.kind) == (stranger, review, Report.Kind.REVIEW)
    assert (report.reason, report.note, report.status) == ("spam", "An advert", Report.Status.OPEN)
    assert "Staff will look at your report" in client.get(profile_url).content.decode()


def test_a_participant_can_report_a_message_in_their_thread(client, message, booking):
    client.force_login(booking.mentee)
    response = post_report(client, "message", message.pk, reason="abuse")
    assert response.status_code == 302 and response.url.startswith(message.thread.get_absolute_url())
    assert Report.objects.get().target == message


@pytest.mark.parametrize("kind", ["profile", "offering"])
def test_a_published_offering_and_an_approved_profile_can_be_reported(client, stranger, kind):
    offering = OfferingFactory()
    target = offering if kind == "offering" else offering.mentor
    client.force_login(stranger)
    response = post_report(client, kind, target.pk, reason="misleading", note="Fake credentials")
    assert response.status_code == 302 and response.url == target.get_absolute_url()
    assert Report.objects.get().target == target


def test_the_pages_show_report_links_to_others_but_not_to_the_author(client, review, stranger, message):
    mentor = review.booking.mentor
    offering = review.booking.offering
    client.force_login(stranger)
    profile = client.get(mentor.get_absolute_url()).content.decode()
    assert report_url("review", review.pk) in profile and report_url("profile", mentor.pk) in profile
    assert report_url("offering", offering.pk) in client.get(offering.get_absolute_url()).content.decode()

    client.force_login(review.booking.mentee)
    thread = client.get(message.thread.get_absolute_url()).content.decode()
    assert report_url("message", message.pk) in thread
    assert report_url("review", review.pk) not in client.get(mentor.get_absolute_url()).content.decode()

    client.force_login(mentor.user)
    assert (
        report_url("message", message.pk)
        not in client.get(message.thread.get_absolute_url()).content.decode()
    )
    assert report_url("profile", mentor.pk) not in client.get(mentor.get_absolute_url()).content.decode()


def test_a_second_open_report_of_the_same_thing_is_refused(client, review, stranger):
    client.force_login(stranger)
    post_report(client, "review", review.pk)
    response = post_report(client, "review", review.pk, reason="abuse")
    assert response.status_code == 400
    assert "You have already reported this" in response.content.decode()
    assert Report.objects.count() == 1


def test_once_a_report_is_decided_the_same_person_may_report_again(review, stranger, staff):
    first = services.report_create(reporter=stranger, target=review, reason="spam")
    services.report_decide(report=first, by=staff, uphold=False, note="Looks fine")
    services.report_create(reporter=stranger, target=review, reason="abuse")
    assert Report.objects.filter(reporter=stranger).count() == 2


def test_reports_are_rate_limited_per_hour(stranger):
    offerings = OfferingFactory.create_batch(services.REPORTS_PER_HOUR + 1)
    for offering in offerings[:-1]:
        services.report_create(reporter=stranger, target=offering, reason="spam")
    with pytest.raises(services.ModerationError, match="a lot of reports in the last hour"):
        services.report_create(reporter=stranger, target=offerings[-1], reason="spam")
    later = timezone.now() + timedelta(hours=1, minutes=1)
    services.report_create(reporter=stranger, target=offerings[-1], reason="spam", now=later)


def test_the_rate_limit_is_a_clear_message_on_the_form(client, stranger):
    offerings = OfferingFactory.create_batch(services.REPORTS_PER_HOUR + 1)
    client.force_login(stranger)
    for offering in offerings[:-1]:
        assert post_report(client, "offering", offering.pk).status_code == 302
    response = post_report(client, "offering", offerings[-1].pk)
    assert response.status_code == 400 and "Please try again later" in response.content.decode()


def test_nobody_can_report_their_own_content(client, review, message, booking):
    client.force_login(booking.mentee)
    response = post_report(client, "review", review.pk)
    assert response.status_code == 400 and "your own content" in response.content.decode()
    client.force_login(booking.mentor.user)
    assert post_report(client, "message", message.pk).status_code == 400
    assert post_report(client, "profile", booking.mentor.pk).status_code == 400
    assert post_report(client, "offering", booking.offering.pk).status_code == 400
    assert not Report.objects.exists()


def test_what_you_cannot_see_cannot_be_reported(client, review, message, stranger):
    hidden = Review.objects.create(
        booking=BookingFactory(state=Booking.State.COMPLETED), rating=3, is_hidden=True
    )
    draft = OfferingFactory(is_published=False)
    pending = MentorFactory(status="pending")
    client.force_login(stranger)
    for kind, pk in [
        ("message", message.pk),  # not a participant of the thread
        ("review", hidden.pk),
        ("offering", draft.pk),
        ("profile", pending.pk),
        ("review", 999999),
        ("nonsense", review.pk),
    ]:
        assert post_report(client, kind, pk).status_code == 404, kind
        assert client.get(report_url(kind, pk)).status_code == 404, kind
    assert not Report.objects.exists()


def test_anonymous_visitors_are_asked_to_log_in(client, review):
    response = post_report(client, "review", review.pk)
    assert response.status_code == 302 and reverse("account_login") in response.url
    assert not Report.objects.exists()


def test_bad_input_is_answered_next_to_the_field(client, review, stranger):
    client.force_login(stranger)
    response = post_report(client, "review", review.pk, reason="because", note="x" * 1001)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Select a valid choice" in body and "at most 1000 characters" in body
    assert not Report.objects.exists()


@pytest.mark.parametrize("evil", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_next_must_be_a_local_url(client, review, stranger, evil):
    client.force_login(stranger)
    response = post_report(client, "review", review.pk, next_url=evil)
    assert response.status_code == 302
    assert response.url == review.booking.mentor.get_absolute_url()
    page = client.get(report_url("review", review.pk, evil))
    assert "evil.example" not in page.content.decode()


def test_an_htmx_report_redirects_the_page(client, review, stranger):
    client.force_login(stranger)
    response = client.post(
        report_url("review", review.pk),
        {"reason": "spam", "next": "/mentors/"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and response["HX-Redirect"] == "/mentors/"
    refused = client.post(report_url("review", review.pk), {"reason": "spam"}, headers={"HX-Request": "true"})
    assert refused.status_code == 400 and "<html" not in refused.content.decode()


# --- deciding ---------------------------------------------------------------------------------


def test_upholding_a_review_report_hides_the_review_and_writes_the_audit_log(client, review, stranger, staff):
    report = services.report_create(reporter=stranger, target=review, reason="spam")
    second = services.report_create(reporter=UserFactory(), target=review, reason="abuse")

    services.report_decide(report=report, by=staff, uphold=True, note="Advertising")

    review.refresh_from_db()
    assert review.is_hidden
    report.refresh_from_db()
    second.refresh_from_db()
    assert report.status == second.status == Report.Status.UPHELD
    assert (report.decided_by, report.decision_note) == (staff, "Advertising")
    assert report.decided_at is not None
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", "actor", "reason"))
    assert [a[0] for a in actions] == ["report.uphold", "review.hide"]
    assert all(a[1] == staff.pk and "Advertising" in a[2] for a in actions)
    entry = AuditEntry.objects.get(action="review.hide")
    assert entry.target_content_type == ContentType.objects.get_for_model(Review)
    assert entry.target_id == str(review.pk) and "spam.example" in entry.target_repr
    assert "spam.example" not in client.get(review.booking.mentor.get_absolute_url()).content.decode()


def test_dismissing_a_report_keeps_the_review_and_writes_the_audit_log(review, stranger, staff):
    report = services.report_create(reporter=stranger, target=review, reason="spam")
    services.report_decide(report=report, by=staff, uphold=False, note="A fair, if harsh, review")
    review.refresh_from_db()
    report.refresh_from_db()
    assert not review.is_hidden and report.status == Report.Status.DISMISSED
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.reason.split(" (")[0]) == (
        "report.dismiss",
        staff,
        "A fair, if harsh, review",
    )


def test_a_decision_needs_a_reason_and_happens_once(review, stranger, staff):
    report = services.report_create(reporter=stranger, target=review, reason="spam")
    with pytest.raises(services.ModerationError, match="reason"):
        services.report_decide(report=report, by=staff, uphold=True, note=" ")
    services.report_decide(report=report, by=staff, uphold=False, note="Fine")
    with pytest.raises(services.ModerationError, match="already dismissed"):
        services.report_decide(report=report, by=staff, uphold=True, note="Changed my mind")
    assert AuditEntry.objects.count() == 1


def test_a_hidden_review_can_be_restored_with_a_reason(review, staff):
    services.review_hide(review=review, by=staff, reason="Spam")
    services.review_restore(review=review, by=staff, reason="The author explained")
    review.refresh_from_db()
    assert not review.is_hidden
    assert list(AuditEntry.objects.order_by("pk").values_list("action", "reason")) == [
        ("review.hide", "Spam"),
        ("review.restore", "The author explained"),
    ]


# --- admin ------------------------------------------------------------------------------------


def test_the_queue_and_the_audit_log_load_for_staff(client, review, message, stranger, staff):
    services.report_create(reporter=stranger, target=review, reason="spam")
    services.report_create(reporter=review.booking.mentee, target=message, reason="abuse")
    report = services.report_create(reporter=stranger, target=review.booking.offering, reason="misleading")
    services.report_decide(report=report, by=staff, uphold=False, note="Accurate")
    dismissal = AuditEntry.objects.get(action="report.dismiss")
    client.force_login(staff)  # (signing in is recorded too)
    for url in [
        reverse("admin:moderation_report_changelist"),
        reverse("admin:moderation_report_changelist") + "?status__exact=open&kind__exact=review",
        reverse("admin:moderation_report_changelist") + "?q=spam",
        reverse("admin:moderation_report_change", args=[report.pk]),
        reverse("admin:moderation_auditentry_changelist"),
        reverse("admin:moderation_auditentry_change", args=[dismissal.pk]),
    ]:
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("admin:moderation_auditentry_add")).status_code == 403
    entry = dismissal
    assert client.post(reverse("admin:moderation_auditentry_delete", args=[entry.pk])).status_code == 403


def test_staff_uphold_from_the_queue_with_a_reason(client, review, stranger, staff):
    report = services.report_create(reporter=stranger, target=review, reason="spam")
    client.force_login(staff)
    url = reverse("admin:moderation_report_changelist")

    no_reason = client.post(
        url, {"action": "uphold", "_selected_action": [report.pk], "note": ""}, follow=True
    )
    assert "Give a reason" in no_reason.content.decode()
    report.refresh_from_db()
    assert report.is_open

    client.post(url, {"action": "uphold", "_selected_action": [report.pk], "note": "Advertising"})
    report.refresh_from_db()
    review.refresh_from_db()
    assert report.status == Report.Status.UPHELD and review.is_hidden

    client.post(url, {"action": "restore_review", "_selected_action": [report.pk], "note": "Appeal accepted"})
    review.refresh_from_db()
    assert not review.is_hidden
    assert AuditEntry.objects.filter(action="review.restore", reason="Appeal accepted").exists()


def test_staff_dismiss_from_the_queue(client, review, stranger, staff):
    report = services.report_create(reporter=stranger, target=review, reason="spam")
    client.force_login(staff)
    client.post(
        reverse("admin:moderation_report_changelist"),
        {"action": "dismiss", "_selected_action": [report.pk], "note": "Not spam"},
    )
    report.refresh_from_db()
    assert report.status == Report.Status.DISMISSED
    assert AuditEntry.objects.filter(action="report.dismiss", actor=staff).exists()


def test_hiding_from_the_review_list_in_the_admin_is_audited(client, review, staff):
    client.force_login(staff)
    response = client.post(
        reverse("admin:mentoring_review_changelist"),
        {"action": "hide", "_selected_action": [review.pk], "note": "Advertising"},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.is_hidden
    entry = AuditEntry.objects.get(action="review.hide")
    assert entry.actor == staff and entry.reason == "Advertising"
