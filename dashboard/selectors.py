from datetime import datetime
from uuid import UUID

from django.db.models import Exists
from django.utils import timezone

from accounts.models import User
from billing.selectors import mentee_upgrade_offers, unspent_upgrade_offers
from core.prepared import PreparedRead
from core.reversing import url_maker
from groups.selectors import seats_ahead_of
from matching.models import Intake
from mentors.models import MentorProfile
from packs.selectors import usable_packs_of
from qa.models import Question
from qa.selectors import inbox_readers
from sessions.models import ActionItem, Booking
from subscriptions.selectors import open_subscriptions_of

State = Booking.State


# What the mentee's lists show, read as plain rows (`values`): building model instances for five
# joined tables, and compiling the query that selects all their columns, cost more CPU than the
# page's template (issue 22).
SESSION_COLUMNS = (
    "id",
    "starts_at",
    "state",
    "outcome",
    "prework_answers",
    "offering__title",
    "mentor__slug",
    "mentor__user__display_name",
    "mentor__user__email",
)
PAST_COLUMNS = (
    *(c for c in SESSION_COLUMNS if c not in ("outcome", "prework_answers")),
    "action_item__text",
    "action_item__done_at",
)
SAMPLE_ID = UUID(int=0)
SAMPLE_SLUG = "sample-mentor-slug"
STATE_LABELS = dict(Booking.State.choices)


def _person_name(display_name: str, email: str) -> str:
    """accounts.User.name, from the two columns it reads."""
    return display_name or email.split("@")[0]


def _session_rows(rows) -> list[dict]:
    """Each session as its line shows it: its links (reversed once for the list), title, mentor,
    state and whether its pre-work is written (`Booking.prework_complete`)."""
    page, ics = url_maker("sessions:booking", SAMPLE_ID), url_maker("sessions:booking_ics", SAMPLE_ID)
    profile = url_maker("mentors:profile", SAMPLE_SLUG)
    return [
        {
            "id": row["id"],
            "url": page(row["id"]),
            "ics_url": ics(row["id"]),
            "title": row["offering__title"],
            "mentor_name": _person_name(row["mentor__user__display_name"], row["mentor__user__email"]),
            "mentor_url": profile(row["mentor__slug"]),
            "starts_at": row["starts_at"],
            "state": row["state"],
            "state_label": STATE_LABELS.get(row["state"], row["state"]),
            # Past sessions are not asked for pre-work: their rows leave those columns out.
            "prework_complete": "outcome" not in row
            or Booking(outcome=row["outcome"], prework_answers=row["prework_answers"]).prework_complete,
            "action_item": row.get("action_item__text"),
            "action_done": row.get("action_item__done_at") is not None,
        }
        for row in rows
    ]


def _panels_query(*, person_id: int, now: datetime):
    user = User(pk=person_id)
    return User.objects.filter(pk=person_id).values(
        has_messages=Exists(inbox_readers(user=user)),
        has_upgrade_offers=Exists(unspent_upgrade_offers(now).filter(mentee=user)),
        has_subscriptions=Exists(open_subscriptions_of(user=user)),
        has_packs=Exists(usable_packs_of(user=user, now=now)),
        has_group_seats=Exists(seats_ahead_of(user=user, now=now)),
        has_intake=Exists(Intake.objects.filter(user=user)),
        has_questions=Exists(Question.objects.filter(mentee=user).exclude(state=Question.State.RELEASED)),
        has_mentor_profile=Exists(MentorProfile.objects.filter(user=user)),
    )


# Compiled once per process: building and compiling it cost ten times running it.
PANELS = PreparedRead(_panels_query, person_id=int, now=datetime)


def mentee_panels(user, *, now: datetime) -> dict[str, bool]:
    """Which of the mentee's panels have anything to show, in one query of existence tests: a
    panel with nothing skips its own query, and compiling those (wide, with joins and counts)
    costs more than this one."""
    found = PANELS.first(person_id=user.pk, now=now)
    return {key.removeprefix("has_"): bool(value) for key, value in found.items()}


def no_mentor_profile(user) -> None:
    """Note on the user that they have no mentor profile (`mentee_panels` found none), as reading
    `user.mentor` would after its query: the navigation asks, and need not query again."""
    User.mentor.related.set_cached_value(user, None)


def mentee_dashboard(user, *, now: datetime | None = None, upgrade_offers: bool = True) -> dict:
    now = now or timezone.now()
    bookings = Booking.objects.filter(mentee=user)
    upcoming = _session_rows(
        bookings.filter(state__in=Booking.ACTIVE_STATES, ends_at__gt=now)
        .order_by("starts_at")
        .values(*SESSION_COLUMNS)
    )
    page = url_maker("sessions:booking", SAMPLE_ID)
    open_items = [
        {
            "text": row["text"],
            "due_date": row["due_date"],
            "url": page(row["booking_id"]),
            "title": row["booking__offering__title"],
        }
        for row in ActionItem.objects.filter(booking__mentee=user, done_at__isnull=True)
        .order_by("due_date")
        .values("text", "due_date", "booking_id", "booking__offering__title")
    ]
    past = _session_rows(
        bookings.exclude(state__in=Booking.ACTIVE_STATES, ends_at__gt=now)
        .order_by("-starts_at")
        .values(*PAST_COLUMNS)[:20]
    )
    return {
        "upcoming": upcoming,
        "prework_due": [b for b in upcoming if not b["prework_complete"]],
        "open_items": open_items,
        "past": past,
        "upgrade_offers": mentee_upgrade_offers(mentee=user, now=now) if upgrade_offers else [],
    }


def mentor_dashboard(mentor) -> dict:
    now = timezone.now()
    zone = mentor.user.zone
    today = now.astimezone(zone).date()
    bookings = Booking.objects.filter(mentor=mentor).select_related("offering", "mentee")
    upcoming = list(bookings.filter(state=State.CONFIRMED, ends_at__gt=now).order_by("starts_at")[:50])
    return {
        "today": [b for b in upcoming if b.starts_at.astimezone(zone).date() == today],
        "later": [b for b in upcoming if b.starts_at.astimezone(zone).date() != today],
        "to_close": list(bookings.filter(state=State.CONFIRMED, ends_at__lte=now).order_by("starts_at")),
        "offerings": list(mentor.offerings.all()),
        # Requests to book waiting for the mentor's answer, soonest to lapse first.
        "requests_waiting": list(
            bookings.filter(state=State.REQUESTED)
            .select_related("approval")
            .order_by("approval__answer_by")[:20]
        ),
    }
