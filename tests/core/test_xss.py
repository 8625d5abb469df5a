"""What people write is shown as text, never run: a script payload in every user-written field
(names, bio, offering text, pre-work, notes, reviews, messages, cohort content) comes out
escaped or sanitised on every page that shows it, in the admin and in the e-mails."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cohorts import emails as cohort_emails
from cohorts.models import CohortMessage, Submission
from moderation.services import report_create
from qa.emails import digest_email
from qa.models import ThreadReader
from qa.services import message_post, thread_for_booking
from sessions import emails as booking_emails
from sessions.models import ActionItem, Booking, Review
from tests.cohorts.factories import CohortFactory, EnrollmentFactory, ModuleFactory
from tests.factories import BookingFactory, MentorFactory, OfferingFactory, UserFactory

pytestmark = pytest.mark.django_db

PAYLOAD = "\"'><script>alert(1)</script><img src=x onerror=alert(2)><svg onload=alert(3)>"
assert len(PAYLOAD) <= 80  # fits every name and title field whole
# The payload come alive: its tags as markup (escaped text, &lt;script&gt;, never matches).
LIVE = re.compile(r"<script>alert|<img\b[^>]*\bonerror|<svg\b[^>]*\bonload", re.IGNORECASE)


def test_the_check_catches_a_live_payload():
    assert LIVE.search(f"<p>{PAYLOAD}</p>") and not LIVE.search(
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    )


def assert_inert(html: str, where: str) -> None:
    found = LIVE.search(html)
    assert found is None, f"{where}: live markup {found.group(0)!r}"


@pytest.fixture
def world():
    mentor = MentorFactory(user__display_name=PAYLOAD, headline=PAYLOAD, bio=PAYLOAD)
    mentee = UserFactory(display_name=PAYLOAD)
    offering = OfferingFactory(
        mentor=mentor, title=PAYLOAD, outcome=PAYLOAD, description=PAYLOAD, prework_prompts=[PAYLOAD]
    )
    upcoming = BookingFactory(
        offering=offering,
        mentee=mentee,
        starts_at=timezone.now() + timedelta(days=2),
        outcome=PAYLOAD,
        prework_answers=[{"prompt": PAYLOAD, "answer": PAYLOAD}],
        context_notes=PAYLOAD,
        links=PAYLOAD,
    )
    past = BookingFactory(
        offering=offering,
        mentee=mentee,
        state=Booking.State.COMPLETED,
        starts_at=timezone.now() - timedelta(days=3),
    )
    ActionItem.objects.create(
        booking=past, text=PAYLOAD, notes=PAYLOAD, resources=PAYLOAD, due_date=timezone.now().date()
    )
    review = Review.objects.create(booking=past, rating=4, text=PAYLOAD, mentor_reply=PAYLOAD)
    thread = thread_for_booking(booking=upcoming)
    message_post(thread=thread, author=mentee, body=PAYLOAD)
    report_create(reporter=UserFactory(), target=review, reason="spam", note=PAYLOAD)

    cohort = CohortFactory(
        facilitator=mentor,
        published=True,
        title=PAYLOAD,
        outcome=PAYLOAD,
        description=PAYLOAD,
        norms=PAYLOAD,
        start_date=(timezone.now() - timedelta(days=3)).date(),
    )
    module = ModuleFactory(
        cohort=cohort, content=PAYLOAD, assignment=PAYLOAD, release_at=timezone.now() - timedelta(days=1)
    )
    enrollment = EnrollmentFactory(cohort=cohort, member=mentee, outcome_note=PAYLOAD)
    Submission.objects.create(module=module, enrollment=enrollment, text=PAYLOAD, links=PAYLOAD)
    CohortMessage.objects.create(cohort=cohort, author=mentor.user, subject=PAYLOAD, body=PAYLOAD)
    return {
        "mentor": mentor,
        "mentee": mentee,
        "offering": offering,
        "upcoming": upcoming,
        "past": past,
        "thread": thread,
        "cohort": cohort,
        "review": review,
    }


def _pages(world) -> dict[str, list[str]]:
    cohort = world["cohort"]
    return {
        "anonymous": [
            reverse("mentors:directory"),
            world["mentor"].get_absolute_url(),
            world["offering"].get_absolute_url(),
            cohort.get_absolute_url(),
        ],
        "mentee": [
            reverse("dashboard:home"),
            world["upcoming"].get_absolute_url(),
            world["past"].get_absolute_url(),
            world["thread"].get_absolute_url(),
            reverse("cohorts:space", args=[cohort.slug]),
            reverse("cohorts:module", args=[cohort.slug, 1]),
            reverse("cohorts:members", args=[cohort.slug]),
        ],
        "mentor": [
            reverse("dashboard:home"),
            world["upcoming"].get_absolute_url(),
            world["past"].get_absolute_url(),
            world["thread"].get_absolute_url(),
            reverse("cohorts:manage", args=[cohort.slug]),
            reverse("cohorts:roster", args=[cohort.slug]),
            reverse("mentors:offerings"),
        ],
        "admin": [
            reverse("admin:mentors_mentorprofile_changelist"),
            reverse("admin:mentors_mentorprofile_change", args=[world["mentor"].pk]),
            reverse("admin:mentoring_booking_changelist"),
            reverse("admin:mentoring_booking_change", args=[world["upcoming"].pk]),
            reverse("admin:mentoring_review_changelist"),
            reverse("admin:mentoring_offering_changelist"),
            reverse("admin:moderation_report_changelist"),
            reverse("admin:moderation_queue"),
            reverse("admin:qa_thread_change", args=[world["thread"].pk]),
            reverse("admin:cohorts_cohort_changelist"),
            reverse("admin:cohorts_submission_changelist"),
            reverse("admin:accounts_user_changelist"),
        ],
    }


def test_every_page_shows_the_payload_as_text(client, world):
    viewers = {
        "anonymous": None,
        "mentee": world["mentee"],
        "mentor": world["mentor"].user,
        "admin": UserFactory(is_staff=True, is_superuser=True),
    }
    for role, urls in _pages(world).items():
        client.logout()
        if viewers[role]:
            client.force_login(viewers[role])
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (role, url, response.status_code)
            html = response.content.decode()
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, (role, url)  # shown, as text
            assert_inert(html, f"{role} {url}")


def test_the_emails_show_the_payload_as_text(world, mailoutbox):
    booking_emails.send_booking_confirmed(booking_id=world["upcoming"].pk)
    cohort_emails.send_cohort_message(message_id=CohortMessage.objects.get().pk)
    digest = digest_email(
        reader=ThreadReader.objects.get(thread=world["thread"], user=world["mentor"].user),
        messages=list(world["thread"].messages.all()),
        total=1,
    )
    digest.send()
    assert len(mailoutbox) >= 3
    assert any("&lt;script&gt;alert(1)" in alt[0] for m in mailoutbox for alt in m.alternatives)
    for message in mail.outbox:
        for body, kind in [(message.body, "text"), *((alt[0], alt[1]) for alt in message.alternatives)]:
            if kind == "text/html":
                assert_inert(body, f"e-mail {message.subject!r}")
        assert "\n" not in message.subject
