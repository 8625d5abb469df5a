"""What the directory reads instead of recomputing: the cached filter menus, each mentor's
lowest published price, and the free-slot preview refreshed by a worker. Each stays true to
the data it summarises."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core import pagecache
from core.markdown import render_markdown
from mentors.models import MentorProfile
from moderation import standing
from sessions.previews import mentor_refresh_free_slots
from sessions.services import BookingRequest, booking_create, offering_save, offering_set_published
from tests.factories import (
    LanguageFactory,
    MentorFactory,
    OfferingFactory,
    SkillFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
URL = "/mentors/"


def menu_skills(response) -> list[str]:
    return [s["name"] for s in response.context["skills"]]


def listed(response) -> list[str]:
    return [m.slug for m in response.context["page"].object_list]


def min_price(mentor: MentorProfile) -> int | None:
    return MentorProfile.objects.get(pk=mentor.pk).min_published_price


# --- the skill and language menus ------------------------------------------------------------


def test_the_filter_menus_are_read_once_then_served_from_the_cache(client, django_assert_num_queries):
    mentor = MentorFactory()
    mentor.skills.set([SkillFactory(name="Python", slug="python")])
    OfferingFactory(mentor=mentor)
    first = client.get(URL)
    with django_assert_num_queries(2):  # the page (no count: core/pagination.py), skills of the page
        again = client.get(URL)
    assert menu_skills(first) == menu_skills(again) == ["Python"]


def test_approving_a_mentor_adds_their_skills_to_the_menu(client, django_capture_on_commit_callbacks):
    listed_mentor = MentorFactory()
    listed_mentor.skills.set([SkillFactory(name="Python", slug="python")])
    applicant = MentorFactory(status=MentorProfile.Status.PENDING)
    applicant.skills.set([SkillFactory(name="Rust", slug="rust")])
    assert menu_skills(client.get(URL)) == ["Python"]

    with django_capture_on_commit_callbacks(execute=True):
        standing.mentor_review(mentor=applicant, approve=True)

    assert menu_skills(client.get(URL)) == ["Python", "Rust"]


def test_a_skill_added_in_the_admin_reaches_the_menu(
    client, admin_client, django_capture_on_commit_callbacks
):
    mentor = MentorFactory()
    python, go = SkillFactory(name="Python", slug="python"), SkillFactory(name="Go", slug="go")
    mentor.skills.set([python])
    assert menu_skills(client.get(URL)) == ["Python"]

    change = reverse("admin:mentors_mentorprofile_change", args=[mentor.pk])
    form = admin_client.get(change).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        user=mentor.user_id,
        skills=[python.pk, go.pk],
        languages=[LanguageFactory(code="en", name="English").pk],
        **{
            f"{prefix}-{key}": value
            for prefix in ("weekly_rules", "date_overrides")
            for key, value in {
                "TOTAL_FORMS": 0,
                "INITIAL_FORMS": 0,
                "MIN_NUM_FORMS": 0,
                "MAX_NUM_FORMS": 1000,
            }.items()
        },
    )
    data.pop("photo", None)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    assert menu_skills(client.get(URL)) == ["Go", "Python"]


def test_a_profile_and_hours_edited_in_the_admin_show_at_once(
    client, admin_client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """Staff edits reach the signed-out visitor's cached profile, and the free times the hours
    they added open (the preview is computed from them)."""
    settings.PAGE_CACHE_SECONDS = 300
    monkeypatch.setattr(pagecache, "CLOCK_MARGIN", 0.0)  # one process, one clock
    mentor = MentorFactory(headline="Engineering manager", weekdays=False)
    OfferingFactory(mentor=mentor)
    with django_capture_on_commit_callbacks(execute=True):
        mentor_refresh_free_slots(mentor_id=mentor.pk)
    assert "Engineering manager" in client.get(mentor.get_absolute_url()).content.decode()
    assert MentorProfile.objects.get(pk=mentor.pk).upcoming_slots == []

    change = reverse("admin:mentors_mentorprofile_change", args=[mentor.pk])
    form = admin_client.get(change).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        user=mentor.user_id,
        headline="Staff engineer who hires",
        skills=[SkillFactory().pk],
        languages=[LanguageFactory(code="en", name="English").pk],
        **{f"date_overrides-{key}": 0 for key in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS")},
        **{
            f"weekly_rules-{key}": n
            for key, n in (("TOTAL_FORMS", 7), ("INITIAL_FORMS", 0), ("MIN_NUM_FORMS", 0))
        },
        **{f"weekly_rules-{day}-weekday": day for day in range(7)},
        **{f"weekly_rules-{day}-start_time": "09:00" for day in range(7)},
        **{f"weekly_rules-{day}-end_time": "17:00" for day in range(7)},
    )
    data.pop("photo", None)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    page = client.get(mentor.get_absolute_url()).content.decode()
    assert "Staff engineer who hires" in page and "Engineering manager" not in page
    assert MentorProfile.objects.get(pk=mentor.pk).upcoming_slots


# --- each mentor's lowest published price ----------------------------------------------------


def test_the_lowest_price_follows_offering_edits_and_publishing():
    mentor = MentorFactory()
    assert min_price(mentor) is None
    cheap = OfferingFactory(mentor=mentor, price_amount=0, is_published=False)
    assert min_price(mentor) is None

    offering_set_published(offering=cheap, by=mentor.user, published=True)
    assert min_price(mentor) == 0

    cheap.refresh_from_db()
    offering_save(mentor=mentor, offering=cheap, price_amount=2500)
    assert min_price(mentor) == 2500

    offering_save(
        mentor=mentor,
        title="Portfolio review",
        outcome="Three changes to make",
        duration_minutes=30,
        price_amount=1500,
        currency="USD",
    )  # a new offering starts unpublished
    assert min_price(mentor) == 2500

    offering_set_published(offering=cheap, by=mentor.user, published=False)
    assert min_price(mentor) is None


def test_a_mentor_leaves_the_directory_when_the_last_offering_is_unpublished(client):
    mentor = MentorFactory()
    offering = OfferingFactory(mentor=mentor, price_amount=0)
    assert listed(client.get(URL)) == [mentor.slug]

    offering_set_published(offering=offering, by=mentor.user, published=False)
    assert listed(client.get(URL)) == []

    offering_set_published(offering=offering, by=mentor.user, published=True)
    response = client.get(URL)
    assert listed(response) == [mentor.slug]
    assert b"free sessions" in response.content


def test_the_price_sort_and_card_use_the_lowest_published_price(client):
    dear, cheap = MentorFactory(), MentorFactory()
    OfferingFactory(mentor=dear, price_amount=9000)
    OfferingFactory(mentor=cheap, price_amount=4500)
    OfferingFactory(mentor=cheap, price_amount=100, is_published=False)

    response = client.get(URL, {"sort": "price"})

    assert listed(response) == [cheap.slug, dear.slug]
    assert "from $45" in response.content.decode()


def test_taking_offerings_down_in_the_admin_updates_the_lowest_price(admin_client):
    mentor = MentorFactory()
    low = OfferingFactory(mentor=mentor, price_amount=1000)
    OfferingFactory(mentor=mentor, price_amount=3000)

    admin_client.post(
        reverse("admin:mentoring_offering_changelist"),
        {"action": "take_down", "_selected_action": [low.pk], "note": "Misleading title"},
    )

    assert min_price(mentor) == 3000


def test_the_periodic_refresh_heals_a_price_changed_behind_the_services():
    mentor = MentorFactory()
    offering = OfferingFactory(mentor=mentor, price_amount=1000)
    type(offering).objects.filter(pk=offering.pk).update(price_amount=700)

    from sessions.tasks import refresh_next_free_slots

    refresh_next_free_slots()

    assert min_price(mentor) == 700


# --- the free-slot preview, refreshed by a worker --------------------------------------------


def test_booking_refreshes_the_preview_in_a_worker_after_commit(
    monkeypatch, django_capture_on_commit_callbacks
):
    from sessions.tasks import refresh_free_slots

    queued = []
    monkeypatch.setattr(refresh_free_slots, "delay", lambda mentor_id: queued.append(mentor_id))
    offering = OfferingFactory(price_amount=0, prework_prompts=[])
    slot = (timezone.now() + timedelta(days=3)).astimezone(offering.mentor.zone)
    while slot.weekday() > 4:
        slot += timedelta(days=1)
    starts_at = slot.replace(hour=10, minute=0, second=0, microsecond=0)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        booking_create(
            offering=offering,
            mentee=UserFactory(),
            request=BookingRequest(starts_at=starts_at, outcome="A decision", prework_answers=[]),
            notify=False,
        )
    assert queued == []  # nothing runs before the booking commits
    for callback in callbacks:
        callback()
    assert queued == [offering.mentor_id]


def test_the_preview_task_stores_the_next_free_slots():
    offering = OfferingFactory(price_amount=0)
    from sessions.tasks import refresh_free_slots

    refresh_free_slots(offering.mentor_id)

    mentor = MentorProfile.objects.get(pk=offering.mentor_id)
    assert mentor.upcoming_slots and mentor.next_free_slot_at is not None


# --- the profile's rendered bio --------------------------------------------------------------


def test_an_edited_bio_renders_anew(client):
    mentor = MentorFactory(bio="I teach **Python**.")
    OfferingFactory(mentor=mentor)
    assert b"<strong>Python</strong>" in client.get(mentor.get_absolute_url()).content

    MentorProfile.objects.filter(pk=mentor.pk).update(bio="I teach *Go*.")

    content = client.get(mentor.get_absolute_url()).content
    assert b"<em>Go</em>" in content and b"Python</strong>" not in content
    assert render_markdown("<script>x</script>**a**") == render_markdown("<script>x</script>**a**")
    assert "<script>" not in render_markdown("<script>x</script>**a**")
