"""The facilitator's pages: a mentor builds, runs and closes a cohort of their own, and nobody else can."""

import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from billing.models import Payment
from cohorts.models import Attendance, Cohort, CohortEvent, CohortMessage, Enrollment, Module, Submission
from sessions.models import Booking
from tests.cohorts.factories import CohortEventFactory, CohortFactory, EnrollmentFactory, ModuleFactory
from tests.factories import BookingFactory, MentorFactory, OfferingFactory, SkillFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)  # a Tuesday
START = date(2026, 10, 19)  # a Monday; Berlin leaves summer time on Sunday 25 October 2026

travel = time_machine.travel(NOW, tick=False)


def cohort_data(**overrides):
    data = {
        "title": "Ship your first side project",
        "outcome": "A launched side project",
        "description": "Four weeks, one **launch**.",
        "start_date": START.isoformat(),
        "weeks": "4",
        "timezone": "Europe/Berlin",
        "seats_min": "3",
        "seats_max": "10",
        "price": "450.00",
        "currency": "USD",
        "enrollment_deadline": "2026-10-15T18:00",
        "member_discount_percent": "10",
        "norms": "Be kind.",
        "outcomes_public": "on",
    }
    data.update(overrides)
    return data


def login_facilitator(client, **cohort_fields) -> Cohort:
    cohort = CohortFactory(start_date=START, **cohort_fields)
    client.force_login(cohort.facilitator.user)
    return cohort


def url(name, cohort, *args):
    return reverse(f"cohorts:{name}", args=[cohort.slug, *args])


# --- creating and editing --------------------------------------------------------------------


@travel
def test_a_mentor_creates_a_cohort_priced_in_major_units_with_a_deadline_in_its_zone(client):
    mentor = MentorFactory()
    skills = [SkillFactory(name="Python"), SkillFactory(name="Product")]
    client.force_login(mentor.user)

    response = client.post(reverse("cohorts:create"), cohort_data(skills=[s.pk for s in skills]))

    cohort = Cohort.objects.get()
    assert response.status_code == 302 and response.url == url("manage", cohort)
    assert cohort.facilitator == mentor and cohort.status == Cohort.Status.DRAFT
    assert cohort.price_amount == 45000 and cohort.currency == "USD"
    # 18:00 in Berlin summer time (UTC+2) is 16:00 UTC.
    assert cohort.enrollment_deadline == datetime(2026, 10, 15, 16, 0, tzinfo=UTC)
    assert set(cohort.skills.all()) == set(skills)
    assert (cohort.seats_min, cohort.seats_max, cohort.member_discount_percent) == (3, 10, 10)
    page = client.get(response.url).content.decode()
    assert "Ship your first side project" in page and "Draft" in page


@travel
def test_the_new_cohort_form_starts_in_the_mentors_time_zone(client):
    mentor = MentorFactory(timezone="Asia/Tokyo")
    client.force_login(mentor.user)
    page = client.get(reverse("cohorts:create")).content.decode()
    assert '<option value="Asia/Tokyo" selected>' in page


@travel
def test_a_zero_decimal_currency_is_not_multiplied(client):
    client.force_login(MentorFactory().user)
    client.post(reverse("cohorts:create"), cohort_data(price="5000", currency="JPY"))
    assert Cohort.objects.get().price_amount == 5000


@travel
def test_editing_shows_the_saved_values_and_saves_changes(client):
    cohort = login_facilitator(
        client, price_amount=45000, enrollment_deadline=datetime(2026, 10, 15, 16, 0, tzinfo=UTC)
    )
    page = client.get(url("edit", cohort)).content.decode()
    assert 'value="450.00"' in page or 'value="450"' in page
    assert 'value="2026-10-15T18:00"' in page  # back in the cohort's wall-clock time

    response = client.post(
        url("edit", cohort),
        cohort_data(title="Ship it", price="99.50", enrollment_deadline="2026-10-16T09:30"),
    )

    assert response.status_code == 302
    cohort.refresh_from_db()
    assert cohort.title == "Ship it" and cohort.price_amount == 9950
    assert cohort.enrollment_deadline == datetime(2026, 10, 16, 7, 30, tzinfo=UTC)
    assert cohort.slug == cohort.slug  # the address does not move with the title


@travel
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"seats_min": "8", "seats_max": "4"}, "The minimum cannot be more than the maximum."),
        ({"enrollment_deadline": "2026-10-20T09:00"}, "Enrollment must close by the start date."),
        ({"start_date": "2026-02-30"}, "Enter a valid date."),
        ({"start_date": "9999-12-31"}, "Enter a date between 2000 and 2100."),
        ({"enrollment_deadline": "tomorrow"}, "Enter a valid date/time."),
        ({"enrollment_deadline": "2026-03-29T02:30"}, "does not exist in Europe/Berlin"),
        ({"price": "4.505"}, "Ensure that there are no more than 2 decimal places."),
        ({"price": "-1"}, "Ensure this value is greater than or equal to 0."),
        ({"price": "12.50", "currency": "JPY"}, "Too many decimal places for this currency."),
        ({"timezone": "Mars/Olympus_Mons"}, "Select a valid choice."),
        ({"weeks": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"skills": ["999999"]}, "Select a valid choice."),
        ({"title": ""}, "This field is required."),
    ],
)
def test_bad_cohort_input_is_explained_and_changes_nothing(client, overrides, message):
    cohort = login_facilitator(client, title="Before")

    created = client.post(reverse("cohorts:create"), cohort_data(**overrides))
    edited = client.post(url("edit", cohort), cohort_data(**overrides))

    for response in (created, edited):
        assert response.status_code == 400
        assert message in response.content.decode()
    assert Cohort.objects.count() == 1
    cohort.refresh_from_db()
    assert cohort.title == "Before"


@travel
def test_the_maximum_cannot_drop_below_the_seats_taken(client):
    cohort = login_facilitator(client, status=Cohort.Status.PUBLISHED)
    EnrollmentFactory.create_batch(3, cohort=cohort)
    response = client.post(url("edit", cohort), cohort_data(seats_min="2", seats_max="2"))
    assert response.status_code == 400 and "3 seats are already taken." in response.content.decode()


@travel
def test_a_mentor_not_yet_approved_is_told_they_cannot_run_cohorts(client):
    from mentors.models import MentorProfile

    mentor = MentorFactory(status=MentorProfile.Status.PENDING)
    client.force_login(mentor.user)
    response = client.post(reverse("cohorts:create"), cohort_data())
    assert (
        response.status_code == 400 and "Only approved mentors can run cohorts." in response.content.decode()
    )
    assert not Cohort.objects.exists()


@travel
def test_my_cohorts_lists_phase_and_seats(client):
    cohort = login_facilitator(client, status=Cohort.Status.PUBLISHED, seats_max=5)
    EnrollmentFactory.create_batch(2, cohort=cohort)
    CohortFactory(title="Someone else's cohort")
    page = client.get(reverse("cohorts:manage_list")).content.decode()
    assert cohort.title in page and "2 / 5" in page and "Enrolling" in page
    assert "Someone else" not in page and reverse("cohorts:create") in page


@travel
def test_the_dashboard_links_mentors_to_their_cohorts(client):
    client.force_login(MentorFactory().user)
    assert reverse("cohorts:manage_list") in client.get(reverse("dashboard:home")).content.decode()


# --- status ----------------------------------------------------------------------------------


@travel
def test_publishing_needs_a_module_and_then_opens_enrollment(client):
    cohort = login_facilitator(client)
    response = client.post(url("publish", cohort), follow=True)
    assert "Add at least one weekly module before publishing." in response.content.decode()
    ModuleFactory(cohort=cohort)
    client.post(url("publish", cohort))
    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.PUBLISHED


@travel
def test_publishing_and_cancelling_answer_only_posts(client):
    cohort = login_facilitator(client)
    for name in ("publish", "cancel", "finish", "message"):
        assert client.get(url(name, cohort)).status_code == 405


@travel
def test_cancelling_needs_a_reason(client):
    cohort = login_facilitator(client, status=Cohort.Status.PUBLISHED)
    response = client.post(url("cancel", cohort), {"reason": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.PUBLISHED

    response = client.post(url("cancel", cohort), {"reason": "I fell ill."})
    assert response.status_code == 302
    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.CANCELLED and cohort.cancel_reason == "I fell ill."


@travel
def test_finishing_before_the_start_is_refused_with_the_reason(client):
    cohort = login_facilitator(client, status=Cohort.Status.PUBLISHED)
    response = client.post(url("finish", cohort), follow=True)
    assert "A cohort can be finished once it has started." in response.content.decode()
    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.PUBLISHED


@travel
def test_a_draft_cannot_be_finished(client):
    cohort = login_facilitator(client)
    response = client.post(url("finish", cohort), follow=True)
    assert "Only a published cohort can be finished." in response.content.decode()
    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.DRAFT


# --- modules ---------------------------------------------------------------------------------


@travel
def test_a_module_is_created_with_times_in_the_cohorts_zone(client):
    cohort = login_facilitator(client)
    response = client.post(
        url("module_create", cohort),
        {
            "week": "1",
            "title": "Pick the idea",
            "content": "# Ideas",
            "assignment": "List three ideas.",
            "release_at": "2026-10-19T09:00",
            "assignment_due_at": "2026-10-26T18:00",  # after the change to winter time
        },
    )
    assert response.status_code == 302
    module = Module.objects.get(cohort=cohort)
    assert module.release_at == datetime(2026, 10, 19, 7, 0, tzinfo=UTC)
    assert module.assignment_due_at == datetime(2026, 10, 26, 17, 0, tzinfo=UTC)
    page = client.get(url("manage", cohort)).content.decode()
    assert "Pick the idea" in page and "Mon 19 Oct, 09:00" in page


@travel
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"assignment_due_at": "2026-10-18T09:00"},
            "The assignment must be due after the module is released.",
        ),
        ({"week": "1"}, "Week 1 already has a module."),
        ({"week": "9"}, "The cohort runs for 4 weeks."),
        ({"release_at": "2026-13-01T09:00"}, "Enter a valid date/time."),
    ],
)
def test_bad_module_input_is_explained(client, overrides, message):
    cohort = login_facilitator(client)
    ModuleFactory(cohort=cohort, week=1)
    data = {
        "week": "2",
        "title": "Build",
        "assignment": "Ship a prototype.",
        "release_at": "2026-10-26T09:00",
        "assignment_due_at": "2026-11-01T18:00",
        **overrides,
    }
    response = client.post(url("module_create", cohort), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert Module.objects.filter(cohort=cohort).count() == 1


@travel
def test_a_module_is_edited_and_deleted_from_its_page(client):
    cohort = login_facilitator(client)
    module = ModuleFactory(cohort=cohort, week=1, release_at=datetime(2026, 10, 19, 7, 0, tzinfo=UTC))
    page = client.get(url("module_edit", cohort, module.pk)).content.decode()
    assert 'value="2026-10-19T09:00"' in page

    data = {"week": "2", "title": "Renamed", "release_at": "2026-10-26T09:00"}
    assert client.post(url("module_edit", cohort, module.pk), data).status_code == 302
    module.refresh_from_db()
    assert (module.week, module.title, module.assignment_due_at) == (2, "Renamed", None)

    assert client.post(url("module_edit", cohort, module.pk), {"delete": "1"}).status_code == 302
    assert not Module.objects.filter(pk=module.pk).exists()


@travel
def test_a_module_with_submissions_is_not_deleted(client):
    cohort = login_facilitator(client)
    module = ModuleFactory(cohort=cohort)
    Submission.objects.create(module=module, enrollment=EnrollmentFactory(cohort=cohort), text="Mine")
    response = client.post(url("module_edit", cohort, module.pk), {"delete": "1"}, follow=True)
    assert "it cannot be deleted" in response.content.decode()
    assert Module.objects.filter(pk=module.pk).exists()


@travel
def test_the_overview_shows_submissions_and_opens_a_critique_round_with_its_completion(client):
    cohort = login_facilitator(client)
    module = ModuleFactory(cohort=cohort)
    for member in EnrollmentFactory.create_batch(3, cohort=cohort):
        Submission.objects.create(module=module, enrollment=member, text="Work")
    page = client.get(url("manage", cohort)).content.decode()
    assert "Open peer-critique round" in page

    response = client.post(url("critique_open", cohort, module.pk), follow=True)

    page = response.content.decode()
    assert "6 reviews assigned" in page and "0 / 6" in page
    module.refresh_from_db()
    assert module.critique_opened_at is not None
    again = client.post(url("critique_open", cohort, module.pk), follow=True)
    assert "already open" in again.content.decode()


# --- the calendar ----------------------------------------------------------------------------


def event_data(**overrides):
    data = {
        "kind": CohortEvent.Kind.MODULE_SESSION,
        "title": "Weekly session",
        "first_day": "2026-10-19",
        "at": "18:00",
        "duration_minutes": "90",
        "weeks": "3",
        "join_url": "https://meet.example.com/weekly",
    }
    data.update(overrides)
    return data


@travel
def test_a_weekly_series_keeps_its_wall_clock_time_across_the_change_to_winter_time(client):
    cohort = login_facilitator(client, status=Cohort.Status.PUBLISHED)
    EnrollmentFactory(cohort=cohort)  # whose reminders follow the calendar
    response = client.post(url("event_create", cohort), event_data())
    assert response.status_code == 302

    events = list(CohortEvent.objects.filter(cohort=cohort).order_by("starts_at"))
    assert [e.starts_at for e in events] == [
        datetime(2026, 10, 19, 16, 0, tzinfo=UTC),  # 18:00 CEST
        datetime(2026, 10, 26, 17, 0, tzinfo=UTC),  # 18:00 CET
        datetime(2026, 11, 2, 17, 0, tzinfo=UTC),
    ]
    assert {e.starts_at.astimezone(BERLIN).strftime("%H:%M") for e in events} == {"18:00"}
    assert all(e.duration_minutes == 90 and e.join_url == "https://meet.example.com/weekly" for e in events)
    page = client.get(url("manage", cohort)).content.decode()
    assert "Mon 19 Oct 2026, 18:00" in page and "Mon 26 Oct 2026, 18:00" in page


@travel
def test_an_event_over_a_confirmed_booking_of_the_mentor_is_refused(client):
    cohort = login_facilitator(client)
    BookingFactory(
        offering=OfferingFactory(mentor=cohort.facilitator),
        starts_at=datetime(2026, 10, 26, 17, 30, tzinfo=UTC),
        state=Booking.State.CONFIRMED,
    )
    response = client.post(url("event_create", cohort), event_data())
    assert response.status_code == 400
    assert (
        "This overlaps a 1:1 session you have on 2026-10-26 18:30 (Europe/Berlin)."
        in response.content.decode()
    )
    assert not CohortEvent.objects.exists()


@travel
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"first_day": "2026-08-01"}, "The first event must be in the future."),
        ({"duration_minutes": "5"}, "Ensure this value is greater than or equal to 15."),
        ({"weeks": "99"}, "Ensure this value is less than or equal to 26."),
        ({"first_day": "2027-03-28", "at": "02:30", "weeks": "1"}, "does not exist in Europe/Berlin"),
        ({"kind": "party"}, "Select a valid choice."),
        ({"at": "25:00"}, "Enter a valid time."),
        ({"join_url": "javascript:alert(1)"}, "Enter a valid URL."),
    ],
)
def test_bad_event_input_is_explained(client, overrides, message):
    cohort = login_facilitator(client)
    response = client.post(url("event_create", cohort), event_data(**overrides))
    assert response.status_code == 400 and message in response.content.decode()
    assert not CohortEvent.objects.exists()


@travel
def test_an_event_is_moved_in_the_cohorts_zone_and_cancelled(client):
    cohort = login_facilitator(client)
    event = CohortEventFactory(cohort=cohort, starts_at=datetime(2026, 10, 19, 16, 0, tzinfo=UTC))
    page = client.get(url("event_edit", cohort, event.pk)).content.decode()
    assert 'value="2026-10-19"' in page and 'value="18:00"' in page

    data = {"kind": CohortEvent.Kind.OFFICE_HOURS, "title": "", "day": "2026-10-27", "at": "09:15"}
    response = client.post(
        url("event_edit", cohort, event.pk), {**data, "duration_minutes": "45", "join_url": ""}
    )

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.starts_at == datetime(2026, 10, 27, 8, 15, tzinfo=UTC)
    assert event.duration_minutes == 45 and event.kind == CohortEvent.Kind.OFFICE_HOURS
    assert event.join_url == "https://meet.example.com/cohort" and event.sequence == 1

    assert client.post(url("event_cancel", cohort, event.pk)).status_code == 302
    event.refresh_from_db()
    assert event.is_cancelled


# --- the roster ------------------------------------------------------------------------------


@travel
def test_the_roster_shows_members_payments_attendance_assignments_and_the_waitlist(client):
    cohort = login_facilitator(client, price_amount=45000, status=Cohort.Status.PUBLISHED, seats_max=2)
    paid, other = EnrollmentFactory.create_batch(2, cohort=cohort)
    Payment.objects.create(
        enrollment=paid, provider="stripe", amount=45000, currency="USD", platform_fee=4500, state="paid"
    )
    waiting = EnrollmentFactory(cohort=cohort, state=Enrollment.State.WAITLISTED, waitlisted_at=NOW)
    event = CohortEventFactory(cohort=cohort)
    module = ModuleFactory(cohort=cohort)
    Attendance.objects.create(event=event, enrollment=paid, present=True)
    Submission.objects.create(module=module, enrollment=other, text="Done")

    response = client.get(url("roster", cohort))

    page = response.content.decode()
    assert response.status_code == 200
    assert paid.member.name in page and other.member.name in page and waiting.member.name in page
    assert Payment.objects.get().get_state_display() in page
    assert f'id="att-{paid.pk}-{event.pk}"' in page and "submitted" in page


@travel
def test_the_roster_takes_as_many_queries_for_ten_members_as_for_two(client, django_assert_max_num_queries):
    cohort = login_facilitator(client)
    events = CohortEventFactory.create_batch(3, cohort=cohort)
    module = ModuleFactory(cohort=cohort)
    members = EnrollmentFactory.create_batch(2, cohort=cohort)

    def mark_all():
        for member in members:
            Submission.objects.get_or_create(module=module, enrollment=member, defaults={"text": "x"})
            for event in events:
                Attendance.objects.get_or_create(event=event, enrollment=member)

    mark_all()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as two:
        client.get(url("roster", cohort))
    members += EnrollmentFactory.create_batch(8, cohort=cohort)
    mark_all()
    with django_assert_max_num_queries(len(two.captured_queries)):
        client.get(url("roster", cohort))


@travel
def test_clicking_an_attendance_cell_toggles_it_and_htmx_gets_the_cell(client):
    cohort = login_facilitator(client)
    member = EnrollmentFactory(cohort=cohort)
    event = CohortEventFactory(cohort=cohort)
    target = url("attendance", cohort, event.pk)

    response = client.post(target, {"enrollment": str(member.pk), "present": "1"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and html.strip().startswith("<td")
    assert f'id="att-{member.pk}-{event.pk}"' in html and "✓" in html
    assert '<input type="hidden" name="present" value="0">' in html  # the next click marks absent
    assert Attendance.objects.get(event=event, enrollment=member).present is True

    client.post(target, {"enrollment": str(member.pk), "present": "0"}, HTTP_HX_REQUEST="true")
    assert Attendance.objects.get(event=event, enrollment=member).present is False


@travel
def test_attendance_with_bad_or_foreign_ids_is_answered_not_crashed(client):
    cohort = login_facilitator(client)
    event = CohortEventFactory(cohort=cohort)
    outsider = EnrollmentFactory()  # a member of another cohort
    waiting = EnrollmentFactory(cohort=cohort, state=Enrollment.State.WAITLISTED)
    target = url("attendance", cohort, event.pk)
    hx = {"HTTP_HX_REQUEST": "true"}
    assert client.post(target, {"enrollment": "nonsense", "present": "1"}, **hx).status_code == 400
    assert client.post(target, {"enrollment": str(uuid.uuid4()), "present": "1"}, **hx).status_code == 404
    assert client.post(target, {"enrollment": str(outsider.pk), "present": "1"}, **hx).status_code == 404
    refused = client.post(target, {"enrollment": str(waiting.pk), "present": "1"}, **hx)
    assert refused.status_code == 400 and "not a member of this cohort" in refused.content.decode()
    assert client.post(url("attendance", cohort, 999999), {"enrollment": str(waiting.pk)}).status_code == 404
    assert not Attendance.objects.exists()


@travel
def test_private_notes_are_saved_through_htmx(client):
    cohort = login_facilitator(client)
    member = EnrollmentFactory(cohort=cohort)
    response = client.post(
        url("roster_member", cohort, member.pk),
        {"action": "notes", "notes": "  Wants to move into product.  "},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert f'id="member-{member.pk}"' in html and "Wants to move into product." in html and "Saved." in html
    member.refresh_from_db()
    assert member.facilitator_notes == "Wants to move into product."


@travel
def test_marking_a_member_completed_makes_them_alumni_and_can_be_undone(client):
    cohort = login_facilitator(client)
    member = EnrollmentFactory(cohort=cohort)
    target = url("roster_member", cohort, member.pk)

    response = client.post(target, {"action": "complete", "completed": "1", "outcome_note": "Launched it"})

    assert response.status_code == 302 and response.url == url("roster", cohort)
    member.refresh_from_db()
    assert member.state == Enrollment.State.COMPLETED and member.outcome_note == "Launched it"
    assert member.completed_at is not None

    html = client.post(
        target, {"action": "complete", "completed": "0"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Mark completed" in html
    member.refresh_from_db()
    assert member.state == Enrollment.State.ACTIVE and member.completed_at is None


@travel
def test_an_unknown_roster_action_is_answered_not_crashed(client):
    cohort = login_facilitator(client)
    member = EnrollmentFactory(cohort=cohort)
    target = url("roster_member", cohort, member.pk)
    assert client.post(target, {"action": "explode"}, HTTP_HX_REQUEST="true").status_code == 400
    assert client.post(target, {"action": "complete", "completed": "maybe"}).status_code == 302
    member.refresh_from_db()
    assert member.state == Enrollment.State.ACTIVE


# --- messages --------------------------------------------------------------------------------


@travel
def test_a_message_goes_to_every_member(client, django_capture_on_commit_callbacks):
    cohort = login_facilitator(client, status=Cohort.Status.PUBLISHED)
    members = EnrollmentFactory.create_batch(3, cohort=cohort)
    EnrollmentFactory(cohort=cohort, state=Enrollment.State.WAITLISTED)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("message", cohort), {"subject": "Week 1 starts", "body": "See you **Monday**."}
        )

    assert response.status_code == 302
    message = CohortMessage.objects.get()
    assert (message.cohort, message.author, message.subject) == (
        cohort,
        cohort.facilitator.user,
        "Week 1 starts",
    )
    recipients = sorted(address for sent in mail.outbox for address in sent.to)
    assert recipients == sorted(m.member.email for m in members)  # one mail each, not the waitlist
    assert all("Week 1 starts" in sent.subject for sent in mail.outbox)


@travel
def test_an_empty_message_is_not_sent(client):
    cohort = login_facilitator(client)
    response = client.post(url("message", cohort), {"subject": "Hi", "body": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    assert not CohortMessage.objects.exists()


# --- who may see these pages -----------------------------------------------------------------


def every_manage_url(cohort, module, event, enrollment):
    return [
        url("manage", cohort),
        url("edit", cohort),
        url("publish", cohort),
        url("cancel", cohort),
        url("finish", cohort),
        url("module_create", cohort),
        url("module_edit", cohort, module.pk),
        url("critique_open", cohort, module.pk),
        url("event_create", cohort),
        url("event_edit", cohort, event.pk),
        url("event_cancel", cohort, event.pk),
        url("roster", cohort),
        url("roster_member", cohort, enrollment.pk),
        url("attendance", cohort, event.pk),
        url("message", cohort),
    ]


@travel
@pytest.mark.parametrize("who", ["another mentor", "a mentee", "a member"])
def test_nobody_but_the_facilitator_reaches_a_manage_page(client, who):
    cohort = CohortFactory(start_date=START, status=Cohort.Status.PUBLISHED)
    module, event = ModuleFactory(cohort=cohort), CohortEventFactory(cohort=cohort)
    enrollment = EnrollmentFactory(cohort=cohort)
    visitor = {
        "another mentor": lambda: MentorFactory().user,
        "a mentee": lambda: UserFactory(),
        "a member": lambda: enrollment.member,
    }[who]()
    client.force_login(visitor)
    for address in every_manage_url(cohort, module, event, enrollment):
        assert client.get(address).status_code in (404, 405), address
        data = {"reason": "x", "subject": "x", "body": "x", "enrollment": str(enrollment.pk), "present": "1"}
        assert client.post(address, {**data, "action": "notes", "notes": "x"}).status_code == 404, address
    if who != "another mentor":
        assert client.get(reverse("cohorts:manage_list")).status_code == 404
        assert client.get(reverse("cohorts:create")).status_code == 404
    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.PUBLISHED and not Attendance.objects.exists()
    assert not CohortMessage.objects.exists()


@travel
def test_a_module_or_event_of_another_cohort_is_not_found(client):
    cohort = login_facilitator(client)
    mine_too = CohortFactory(facilitator=cohort.facilitator)
    module, event = ModuleFactory(cohort=mine_too), CohortEventFactory(cohort=mine_too)
    assert client.get(url("module_edit", cohort, module.pk)).status_code == 404
    assert client.get(url("event_edit", cohort, event.pk)).status_code == 404
    assert client.post(url("event_cancel", cohort, event.pk)).status_code == 404


def test_the_manage_pages_need_a_login(client):
    response = client.get(reverse("cohorts:manage_list"))
    assert response.status_code == 302 and "login" in response.url
