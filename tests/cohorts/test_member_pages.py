"""Members-only pages, the public pages, the ICS feed, events in the slot engine, member prices."""

from datetime import datetime, time, timedelta

import icalendar
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cohorts import services
from cohorts.models import CalendarFeed, Cohort, PeerReview, Submission
from sessions.selectors import mentor_free_slots
from sessions.services import BookingError, BookingRequest, booking_create, member_price
from tests.cohorts.factories import CohortEventFactory, CohortFactory, EnrollmentFactory, ModuleFactory
from tests.factories import BookingFactory, OfferingFactory, UserFactory


@pytest.fixture
def setting(db):
    """A running cohort with a released module, a member who submitted, and an assigned review."""
    cohort = CohortFactory(published=True, start_date=(timezone.now() - timedelta(days=3)).date())
    module = ModuleFactory(cohort=cohort, week=1)
    member, peer = EnrollmentFactory(cohort=cohort), EnrollmentFactory(cohort=cohort)
    submission = Submission.objects.create(module=module, enrollment=member, text="My plan")
    review = PeerReview.objects.create(submission=submission, reviewer=peer)
    other_cohort_member = EnrollmentFactory(cohort=CohortFactory(published=True)).member
    return cohort, member, peer, review, other_cohort_member


MEMBER_URLS = [
    ("cohorts:space", lambda c, r: [c.slug]),
    ("cohorts:module", lambda c, r: [c.slug, 1]),
    ("cohorts:members", lambda c, r: [c.slug]),
    ("cohorts:peer_review", lambda c, r: [c.slug, r.pk]),
]


@pytest.mark.parametrize("name,args", MEMBER_URLS)
def test_members_only_pages_are_404_for_everyone_but_members_and_the_facilitator(client, setting, name, args):
    cohort, member, peer, review, other_cohort_member = setting
    url = reverse(name, args=args(cohort, review))
    assert client.get(url).status_code == 302  # anonymous: sign in first
    for outsider in (UserFactory(), other_cohort_member, OfferingFactory().mentor.user):
        client.force_login(outsider)
        assert client.get(url).status_code == 404, outsider
    client.force_login(peer.member)  # the reviewer: every page, the review included
    assert client.get(url).status_code == 200
    if name != "cohorts:peer_review":
        for insider in (member.member, cohort.facilitator.user):
            client.force_login(insider)
            assert client.get(url).status_code == 200


def test_a_member_who_left_loses_access(client, setting):
    cohort, member, *_ = setting
    member.state = "left"
    member.save()
    client.force_login(member.member)
    assert client.get(reverse("cohorts:space", args=[cohort.slug])).status_code == 404


def test_a_draft_is_404_for_the_public_and_visible_to_its_facilitator(client, db):
    cohort = CohortFactory()
    url = reverse("cohorts:detail", args=[cohort.slug])
    assert client.get(url).status_code == 404
    client.force_login(cohort.facilitator.user)
    assert client.get(url).status_code == 200


def test_the_list_shows_open_cohorts_and_filters_by_skill_month_price_and_seats(client, db):
    from tests.factories import SkillFactory

    python = SkillFactory(name="Python", slug="python")
    cheap = CohortFactory(published=True, title="Cheap one", price_amount=10000)
    cheap.skills.add(python)
    full = CohortFactory(published=True, title="Full one", price_amount=90000, seats_min=1, seats_max=1)
    EnrollmentFactory(cohort=full)
    CohortFactory(title="Draft one")
    page = client.get(reverse("cohorts:list")).content.decode()
    assert "Cheap one" in page and "Full one" in page and "Draft one" not in page
    assert "Full — waitlist open" in page
    assert "Full one" not in client.get(reverse("cohorts:list"), {"skill": "python"}).content.decode()
    assert "Full one" not in client.get(reverse("cohorts:list"), {"max_price": "200"}).content.decode()
    assert "Full one" not in client.get(reverse("cohorts:list"), {"seats": "on"}).content.decode()
    month = cheap.start_date.strftime("%Y-%m")
    assert "Cheap one" in client.get(reverse("cohorts:list"), {"month": month}).content.decode()
    bad = client.get(reverse("cohorts:list"), {"max_price": "lots", "month": "soon", "skill": "nope"})
    assert bad.status_code == 200 and "Cheap one" in bad.content.decode()


def test_the_detail_page_shows_seats_norms_and_enroll_errors_next_to_the_field(client, db):
    cohort = CohortFactory(published=True, seats_max=5)
    ModuleFactory(cohort=cohort)
    user = UserFactory()
    client.force_login(user)
    page = client.get(reverse("cohorts:detail", args=[cohort.slug])).content.decode()
    assert "5 of 5 left" in page and cohort.norms in page
    response = client.post(reverse("cohorts:enroll", args=[cohort.slug]), {})
    assert response.status_code == 400
    assert "Please read and accept the cohort&#x27;s norms." in response.content.decode()
    assert not cohort.enrollments.exists()


def test_the_ics_feed_lists_sessions_and_cohort_events_in_utc_and_reflects_cancellations(client, setting):
    cohort, member, *_ = setting
    event = CohortEventFactory(cohort=cohort, starts_at=timezone.now() + timedelta(days=2))
    cancelled = CohortEventFactory(cohort=cohort, starts_at=timezone.now() + timedelta(days=3))
    services.event_cancel(event=cancelled, by=cohort.facilitator.user)
    booking = BookingFactory(mentee=member.member, state="confirmed")
    feed = services.calendar_feed_regenerate(user=member.member)
    response = client.get(reverse("cohorts:calendar_feed", args=[feed.token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {
        f"cohort-event-{event.pk}@thementors",
        f"cohort-event-{cancelled.pk}@thementors",
        f"booking-{booking.pk}@thementors",
    }
    ours = events[f"cohort-event-{event.pk}@thementors"]
    assert ours.decoded("dtstart") == event.starts_at.replace(microsecond=0) and ours.decoded(
        "dtstart"
    ).utcoffset() == timedelta(0)
    assert str(ours["status"]) == "CONFIRMED"
    gone = events[f"cohort-event-{cancelled.pk}@thementors"]
    assert (str(gone["status"]), int(gone["sequence"])) == ("CANCELLED", 1)


def test_regenerating_the_feed_revokes_the_old_address(client, setting):
    _, member, *_ = setting
    old = services.calendar_feed_regenerate(user=member.member).token
    client.force_login(member.member)
    client.post(reverse("cohorts:calendar_regenerate"))
    new = CalendarFeed.objects.get(user=member.member).token
    assert new != old
    assert client.get(reverse("cohorts:calendar_feed", args=[old])).status_code == 404
    assert client.get(reverse("cohorts:calendar_feed", args=[new])).status_code == 200


def test_another_users_feed_shows_nothing_of_mine(client, setting):
    cohort, member, *_ = setting
    CohortEventFactory(cohort=cohort, starts_at=timezone.now() + timedelta(days=2))
    stranger_feed = services.calendar_feed_regenerate(user=UserFactory())
    body = client.get(reverse("cohorts:calendar_feed", args=[stranger_feed.token])).content.decode()
    assert "VEVENT" not in body


def _next_weekday(mentor, hour: int) -> datetime:
    day = timezone.now().astimezone(mentor.zone).date() + timedelta(days=7)
    while day.weekday() != 1:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour), tzinfo=mentor.zone)


def test_cohort_events_take_the_facilitators_1_1_time(db):
    offering = OfferingFactory(price_amount=0)
    mentor = offering.mentor
    cohort = CohortFactory(facilitator=mentor, published=True)
    at = _next_weekday(mentor, 11)
    CohortEventFactory(cohort=cohort, starts_at=at, ends_at=at + timedelta(hours=1))
    slots = mentor_free_slots(
        mentor=mentor,
        duration=timedelta(minutes=30),
        start=at - timedelta(hours=2),
        end=at + timedelta(hours=3),
    )
    assert at not in slots and at + timedelta(minutes=30) not in slots
    assert at - timedelta(hours=1) in slots
    with pytest.raises(BookingError):
        booking_create(
            offering=offering,
            mentee=UserFactory(),
            request=BookingRequest(
                starts_at=at, outcome="x", prework_answers=[""] * len(offering.prework_prompts)
            ),
        )


def test_an_event_cannot_overlap_a_confirmed_booking_and_a_cancelled_cohort_frees_the_time(db):
    offering = OfferingFactory()
    mentor = offering.mentor
    at = _next_weekday(mentor, 10)
    BookingFactory(
        offering=offering, mentor=mentor, starts_at=at, ends_at=at + timedelta(minutes=30), state="confirmed"
    )
    cohort = CohortFactory(facilitator=mentor)
    plan = services.EventPlan(kind="office_hours", first_day=at.date(), at=time(10), duration_minutes=60)
    with pytest.raises(services.CohortError, match="overlaps a 1:1 session"):
        services.event_series_create(cohort=cohort, by=mentor.user, plan=plan)
    assert not cohort.events.exists()
    later = services.EventPlan(kind="office_hours", first_day=at.date(), at=time(14), duration_minutes=60)
    event = services.event_series_create(cohort=cohort, by=mentor.user, plan=later)[0]

    def free():
        return mentor_free_slots(
            mentor=mentor, duration=timedelta(minutes=30), start=event.starts_at, end=event.ends_at
        )

    assert free() == []
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.CANCELLED)
    assert event.starts_at in free()


def test_members_pay_the_member_price_for_1_1_sessions_with_their_facilitator(db):
    offering = OfferingFactory(price_amount=10000)
    cohort = CohortFactory(facilitator=offering.mentor, published=True, member_discount_percent=20)
    member = EnrollmentFactory(cohort=cohort).member
    assert member_price(offering=offering, mentee=member) == 8000
    assert member_price(offering=offering, mentee=UserFactory()) == 10000
    at = _next_weekday(offering.mentor, 13)
    booking = booking_create(
        offering=offering,
        mentee=member,
        request=BookingRequest(
            starts_at=at, outcome="x", prework_answers=[""] * len(offering.prework_prompts)
        ),
    )
    assert booking.price_amount == 8000


def test_event_reminders_follow_a_moved_event_and_a_weekly_series_keeps_its_local_time(db):
    cohort = CohortFactory(published=True, timezone="Europe/Berlin", start_date=datetime(2026, 10, 19).date())
    member = EnrollmentFactory(cohort=cohort)
    with time_machine.travel(datetime(2026, 10, 1, 12, tzinfo=cohort.zone)):
        plan = services.EventPlan(
            kind="module_session",
            first_day=datetime(2026, 10, 20).date(),
            at=time(18),
            duration_minutes=60,
            weeks=2,
        )
        first, second = services.event_series_create(cohort=cohort, by=cohort.facilitator.user, plan=plan)
        # 18:00 in Berlin on both sides of the change to winter time (25 October).
        assert [e.starts_at.astimezone(cohort.zone).hour for e in (first, second)] == [18, 18]
        assert second.starts_at - first.starts_at == timedelta(days=7, hours=1)
        due = sorted(
            member.notifications.filter(cohort_event=first, state="pending").values_list("due_at", flat=True)
        )
        assert due == [first.starts_at - timedelta(hours=24), first.starts_at - timedelta(hours=1)]
        services.event_update(
            event=first,
            by=cohort.facilitator.user,
            starts_at=first.starts_at + timedelta(hours=1),
            duration_minutes=60,
            title="",
            join_url="",
            kind="module_session",
        )
        pending = sorted(
            member.notifications.filter(cohort_event=first, state="pending").values_list("due_at", flat=True)
        )
        moved = first.starts_at + timedelta(hours=1)
        assert pending == [moved - timedelta(hours=24), moved - timedelta(hours=1)]


def test_events_and_modules_of_a_cancelled_cohort_cannot_be_changed(db):
    cohort = CohortFactory(published=True)
    event = CohortEventFactory(cohort=cohort)
    module = ModuleFactory(cohort=cohort)
    services.cohort_cancel(cohort=cohort, by=cohort.facilitator.user, reason="Not enough interest")
    with pytest.raises(services.CohortError, match="cannot be changed"):
        services.event_update(
            event=event,
            by=cohort.facilitator.user,
            starts_at=event.starts_at + timedelta(hours=1),
            duration_minutes=60,
            title="",
            join_url="",
            kind="office_hours",
        )
    with pytest.raises(services.CohortError, match="cannot be changed"):
        services.module_save(
            cohort=Cohort.objects.get(pk=cohort.pk), by=cohort.facilitator.user, module=module, title="New"
        )
    event.refresh_from_db()
    assert event.kind == "module_session"
