"""The whole demo marketplace, in the order its parts depend on each other."""

from __future__ import annotations

from datetime import datetime

from mentors.models import MentorProfile

from . import bookings, people
from .cohorts import seed_cohorts
from .groups import seed_group_sessions
from .packs import seed_packs
from .plan import MENTEE_LOGIN, MENTOR_LOGIN, DemoPlan
from .questions import seed_questions
from .requests import seed_requests
from .series import seed_series
from .subscriptions import seed_plans
from .webhooks import seed_webhooks
from .world import mentors_refresh_figures


def seed(*, now: datetime) -> None:
    plan = DemoPlan()
    people.site()
    skills, languages = people.vocabulary()
    users = people.people(plan)
    mentors, offerings = people.mentors(plan, users=users, skills=skills, languages=languages, now=now)
    people.applicants(users=users, skills=skills, languages=languages, now=now)
    bookings.past_bookings(plan, users=users, mentors=mentors, offerings=offerings, now=now)
    bookings.upcoming_bookings(plan, users=users, mentors=mentors, offerings=offerings)
    mentees = [users[email] for email, _, _ in plan.mentees]
    seed_cohorts(now=now, mentors=list(mentors.values()), mentees=mentees, demo_mentee=users[MENTEE_LOGIN])
    seed_plans(
        now=now,
        mentors=list(mentors.values()),
        mentees=mentees,
        demo_mentor=mentors[MENTOR_LOGIN],
        demo_mentee=users[MENTEE_LOGIN],
    )
    seed_packs(
        now=now,
        mentors=list(mentors.values()),
        demo_mentor=mentors[MENTOR_LOGIN],
        demo_mentee=users[MENTEE_LOGIN],
    )
    seed_group_sessions(
        now=now, demo_mentor=mentors[MENTOR_LOGIN], mentees=mentees, demo_mentee=users[MENTEE_LOGIN]
    )
    seed_series(now=now, demo_mentor=mentors[MENTOR_LOGIN], demo_mentee=users[MENTEE_LOGIN])
    seed_questions(
        now=now,
        mentors=list(mentors.values()),
        mentees=mentees,
        demo_mentor=mentors[MENTOR_LOGIN],
        demo_mentee=users[MENTEE_LOGIN],
    )
    seed_requests(
        now=now, demo_mentor=mentors[MENTOR_LOGIN], demo_mentee=users[MENTEE_LOGIN], mentees=mentees
    )
    seed_webhooks(now=now, demo_mentor=mentors[MENTOR_LOGIN])
    bookings.reminders()  # after every seed that books (series, plans, packs), so a rerun adds none
    mentor_ids = list(MentorProfile.objects.values_list("pk", flat=True))
    mentors_refresh_figures(mentor_ids, free_slots_at=now)
    people.match_intake(users[MENTEE_LOGIN])
    bookings.reports(reporters=mentees)
