"""The demo's six cohorts (demo/data/cohorts.toml), one in each state a visitor can meet:
enrolling with seats left, enrolling below its minimum (free), full with a waitlist, running,
finished, and a draft.

Called by `seed_demo` once the mentors, mentees and bookings exist. Like the bookings, what is
still ahead goes through the cohort services (saving, modules, events, publishing, enrolling,
paying with the demo provider, submissions, critique rounds, reviews, completing, finishing),
so seats, waitlists and calendars keep the product's rules; history the services refuse
(enrolment after the deadline, events and submissions in the past) is written with the ORM and
back-dated. A cohort is keyed on its facilitator and title: a second run finds it and adds
nothing. Events never overlap the facilitator's bookings or other events: a colliding one is
left out.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Count
from django.utils import timezone

from billing.models import Payment
from billing.services import platform_fee
from cohorts import services
from cohorts.models import (
    Attendance,
    Cohort,
    CohortEvent,
    CohortMessage,
    Enrollment,
    Module,
    PeerReview,
    Submission,
)
from mentors.models import MentorProfile, Skill
from notifications.services import schedule_for_member
from sessions.models import Booking

from .content import clock, load
from .world import local

SEED = "cohorts-20240917"
Kind = CohortEvent.Kind
# Bookings that took (or take) the mentor's time; an event never lands on one of them.
NOT_BUSY = (
    Booking.State.EXPIRED,
    Booking.State.CANCELLED_BY_MENTEE,
    Booking.State.CANCELLED_BY_MENTOR,
)


@dataclass(frozen=True)
class ModulePlan:
    title: str
    content: str
    assignment: str


@dataclass(frozen=True)
class CohortPlan:
    key: str
    phase: str  # draft, open, full, running, finished
    facilitator: str  # a seeded mentor's name
    title: str
    outcome: str
    skills: tuple[str, ...]
    modules: tuple[ModulePlan, ...]
    start_in_weeks: int  # from this week's Monday, in the facilitator's zone
    session_at: time  # the weekly live session (Tuesday), office hours (Thursday), local time
    seats_min: int
    seats_max: int
    price_amount: int
    members: int
    waitlist: int = 0
    deadline_days_before: int = 2
    member_discount_percent: int = 0
    demo_mentee: str = ""  # "member", "alumni" or "waitlist"

    @property
    def weeks(self) -> int:
        return len(self.modules)


def _plan(row: dict) -> CohortPlan:
    return CohortPlan(
        **{name: value for name, value in row.items() if name not in ("modules", "skills", "session_at")},
        skills=tuple(row["skills"]),
        modules=tuple(ModulePlan(**module) for module in row["modules"]),
        session_at=clock(row["session_at"]),
    )


_data = load("cohorts")
PLANS = [_plan(row) for row in _data["cohorts"]]
NORMS: str = _data["norms"]
SUBMISSIONS: list[str] = _data["submissions"]
FEEDBACK = [(f["what_works"], f["suggestion"], f["question"]) for f in _data["feedback"]]
OUTCOMES: list[str] = _data["outcomes"]
MESSAGES = [(m["subject"], m["body"]) for m in _data["messages"]]


def _room(cohort: Cohort, n: int) -> str:
    return f"https://meet.jit.si/TheMentors-{cohort.slug}-demo-{n}"


class CohortDemo:
    def __init__(self, *, now: datetime, mentors: list[MentorProfile], mentees: list, demo_mentee):
        self.now = now
        self.by_name = {m.user.name: m for m in mentors}
        self.mentees = [m for m in mentees if m.pk != demo_mentee.pk]
        self.demo_mentee = demo_mentee

    def run(self) -> None:
        for plan in PLANS:
            facilitator = self.by_name[plan.facilitator]
            if Cohort.objects.filter(facilitator=facilitator, title=plan.title).exists():
                continue
            self.cohort(plan, facilitator)

    # --- building one cohort

    def cohort(self, plan: CohortPlan, facilitator: MentorProfile) -> Cohort:
        rng = random.Random(f"{SEED}:{plan.key}")
        zone = facilitator.zone
        monday = self.now.astimezone(zone).date()
        monday -= timedelta(days=monday.weekday())
        start = monday + timedelta(weeks=plan.start_in_weeks)
        starts_at = datetime.combine(start, time(0), tzinfo=zone)
        cohort = services.cohort_save(
            facilitator=facilitator,
            title=plan.title,
            outcome=plan.outcome,
            description=_data["description"].format(
                outcome=plan.outcome, weeks=plan.weeks, facilitator=facilitator.user.name
            ),
            start_date=start,
            weeks=plan.weeks,
            timezone=facilitator.timezone,
            seats_min=plan.seats_min,
            seats_max=plan.seats_max,
            price_amount=plan.price_amount,
            currency="USD",
            enrollment_deadline=starts_at - timedelta(days=plan.deadline_days_before),
            member_discount_percent=plan.member_discount_percent,
            norms=NORMS,
            skills=list(Skill.objects.filter(name__in=plan.skills)),
        )
        by = facilitator.user
        modules = [
            services.module_save(
                cohort=cohort,
                by=by,
                week=week,
                title=m.title,
                content=m.content,
                assignment=m.assignment,
                release_at=local(start + timedelta(weeks=week - 1), time(0), zone),
                assignment_due_at=local(start + timedelta(weeks=week - 1, days=6), time(20), zone),
            )
            for week, m in enumerate(plan.modules, start=1)
        ]
        if plan.phase == "draft":
            return cohort
        self.events(cohort, plan, facilitator)
        if plan.phase in ("running", "finished"):
            self.history(cohort, plan, modules, rng)
        else:
            services.cohort_publish(cohort=cohort, by=by)
            self.enroll(cohort, plan, rng)
        return cohort

    def events(self, cohort: Cohort, plan: CohortPlan, facilitator: MentorProfile) -> None:
        """Weekly module sessions (Tuesday) and office hours (Thursday), and a peer critique on the
        Friday of every second week; past ones written directly, the rest through the service."""
        wanted = []
        for week in range(1, plan.weeks + 1):
            monday = cohort.start_date + timedelta(weeks=week - 1)
            title = f"Week {week}: {plan.modules[week - 1].title}"
            wanted.append((Kind.MODULE_SESSION, title, monday + timedelta(days=1), plan.session_at, 90))
            wanted.append(
                (Kind.OFFICE_HOURS, "Office hours", monday + timedelta(days=3), plan.session_at, 45)
            )
            if week % 2 == 0:
                critique = f"Peer critique: week {week - 1} and {week}"
                wanted.append((Kind.PEER_CRITIQUE, critique, monday + timedelta(days=4), plan.session_at, 60))
        soon = timezone.now() + timedelta(minutes=5)
        for n, (kind, title, day, wall, minutes) in enumerate(wanted, start=1):
            starts_at = local(day, wall, cohort.zone)
            ends_at = starts_at + timedelta(minutes=minutes)
            if not self._free(facilitator, starts_at, ends_at):
                continue
            if starts_at > soon:
                event_plan = services.EventPlan(
                    kind=kind, first_day=day, at=wall, duration_minutes=minutes, title=title
                )
                try:
                    services.event_series_create(cohort=cohort, by=facilitator.user, plan=event_plan)
                except services.CohortError:
                    continue
            else:
                CohortEvent.objects.create(
                    cohort=cohort,
                    kind=kind,
                    title=title,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    join_url=_room(cohort, n),
                )

    def _free(self, facilitator: MentorProfile, starts_at: datetime, ends_at: datetime) -> bool:
        overlap = {"starts_at__lt": ends_at, "ends_at__gt": starts_at}
        booked = Booking.objects.filter(mentor=facilitator, **overlap).exclude(state__in=NOT_BUSY)
        other = CohortEvent.objects.filter(cohort__facilitator=facilitator, is_cancelled=False, **overlap)
        return not booked.exists() and not other.exists()

    # --- cohorts still ahead: enrolling through the services

    def enroll(self, cohort: Cohort, plan: CohortPlan, rng: random.Random) -> None:
        people = rng.sample(self.mentees, plan.members + plan.waitlist)
        if plan.demo_mentee == "waitlist":
            people.insert(plan.members + 1, self.demo_mentee)  # second in line
            people.pop()
        for member in people:
            enrollment = services.cohort_enroll(cohort=cohort, member=member, accept_norms=True, notify=False)
            if enrollment.state == Enrollment.State.HELD:
                self._pay(enrollment, at=timezone.now())
                services.enrollment_confirm_payment(enrollment=enrollment, notify=False)

    def _pay(self, enrollment: Enrollment, *, at: datetime) -> Payment:
        """What the demo provider's checkout records when the member pays."""
        pk = uuid.uuid4()
        return Payment.objects.create(
            id=pk,
            enrollment=enrollment,
            provider=Payment.Provider.DEMO,
            checkout_session_id=f"cs_demo_{pk.hex}",
            amount=enrollment.price_amount,
            currency=enrollment.currency,
            platform_fee=platform_fee(enrollment.price_amount),
            state=Payment.State.PAID,
            paid_at=at,
        )

    # --- cohorts that have started: history written directly, today's steps through the services

    def history(self, cohort: Cohort, plan: CohortPlan, modules: list[Module], rng: random.Random) -> None:
        published_at = cohort.enrollment_deadline - timedelta(days=21)
        Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.PUBLISHED, published_at=published_at)
        cohort.refresh_from_db()
        people = rng.sample(self.mentees, plan.members - 1) + [self.demo_mentee]
        enrollments = []
        for n, member in enumerate(people):
            joined = published_at + timedelta(days=1 + n * 2, hours=rng.randint(0, 12))
            enrollment = Enrollment.objects.create(
                cohort=cohort,
                member=member,
                state=Enrollment.State.ACTIVE,
                price_amount=cohort.price_amount,
                currency=cohort.currency,
                norms_accepted_at=joined,
                joined_at=joined,
            )
            Enrollment.objects.filter(pk=enrollment.pk).update(created_at=joined - timedelta(minutes=4))
            if cohort.price_amount:
                payment = self._pay(enrollment, at=joined)
                Payment.objects.filter(pk=payment.pk).update(created_at=joined - timedelta(minutes=3))
            enrollments.append(enrollment)
        self.attendance(cohort, enrollments, rng)
        self.messages(cohort, plan)
        if plan.phase == "running":
            self.coursework(cohort, modules, enrollments, rng)
            for enrollment in enrollments:
                schedule_for_member(enrollment)
        else:
            self.finish(cohort, enrollments, rng)

    def attendance(self, cohort: Cohort, enrollments: list[Enrollment], rng: random.Random) -> None:
        by = cohort.facilitator.user
        past = CohortEvent.objects.filter(
            cohort=cohort, kind=Kind.MODULE_SESSION, ends_at__lte=self.now, is_cancelled=False
        )
        for event in past:
            for enrollment in enrollments:
                services.attendance_mark(
                    event=event, enrollment=enrollment, present=rng.random() < 0.85, by=by
                )
        Attendance.objects.filter(event__cohort=cohort).update(marked_at=self.now - timedelta(days=1))

    def messages(self, cohort: Cohort, plan: CohortPlan) -> None:
        for n, (subject, body) in enumerate(MESSAGES[: 2 if plan.phase == "running" else 3]):
            message = CohortMessage.objects.create(
                cohort=cohort, author=cohort.facilitator.user, subject=subject, body=body
            )
            sent = min(cohort.starts_at + timedelta(days=7 * n - 2), self.now - timedelta(hours=2))
            CohortMessage.objects.filter(pk=message.pk).update(sent_at=sent)

    def coursework(self, cohort: Cohort, modules: list[Module], enrollments, rng: random.Random) -> None:
        """Weeks 1 and 2 are due: submitted, critiqued (week 1 fully reviewed, week 2 half), and
        this week's assignment has its first submissions, through the service."""
        demo = enrollments[-1]
        for module, share in ((modules[0], 7), (modules[1], 6)):
            authors = enrollments[-share:]  # the demo mentee always submitted
            for n, enrollment in enumerate(authors):
                submission = Submission.objects.create(
                    module=module,
                    enrollment=enrollment,
                    text=SUBMISSIONS[n % len(SUBMISSIONS)],
                    links="https://docs.example.com/draft" if n % 3 == 0 else "",
                )
                at = module.assignment_due_at - timedelta(hours=rng.randint(3, 60))
                Submission.objects.filter(pk=submission.pk).update(submitted_at=at, updated_at=at)
            reviews = self.critique_round(module, authors, rng)
            for n, review in enumerate(reviews):
                if module.week == 2 and (review.reviewer_id == demo.pk or n % 2):
                    continue  # still to write: the demo mentee has reviews waiting
                what_works, suggestion, question = FEEDBACK[n % len(FEEDBACK)]
                review = services.peer_review_submit(
                    review=review,
                    by=review.reviewer.member,
                    what_works=what_works,
                    suggestion=suggestion,
                    question=question,
                )
                done = module.critique_opened_at + timedelta(hours=rng.randint(6, 72))
                done = min(done, self.now - timedelta(hours=1))
                PeerReview.objects.filter(pk=review.pk).update(submitted_at=done)
        current = next((m for m in modules if m.submissions_open(timezone.now())), None)
        for n, enrollment in enumerate(enrollments[:3] if current else []):
            services.submission_save(module=current, enrollment=enrollment, text=SUBMISSIONS[n])

    def critique_round(
        self, module: Module, authors: list[Enrollment], rng: random.Random
    ) -> list[PeerReview]:
        """The round the facilitator opened after the due date, with the product's own reviewer
        assignment (opening it through the service now would e-mail everyone again)."""
        module.critique_seed = rng.randint(1, 10**6)
        module.critique_opened_at = module.assignment_due_at + timedelta(hours=1)
        module.save(update_fields=["critique_seed", "critique_opened_at"])
        submissions = {s.enrollment_id: s for s in Submission.objects.filter(module=module)}
        plan = services.assign_reviewers(list(submissions), seed=module.critique_seed)
        reviews = PeerReview.objects.bulk_create(
            PeerReview(submission=submissions[author], reviewer=reviewer)
            for author, reviewers in plan.items()
            for reviewer in (e for e in authors if e.pk in reviewers)
        )
        PeerReview.objects.filter(pk__in=[r.pk for r in reviews]).update(
            assigned_at=module.critique_opened_at
        )
        return reviews

    def finish(self, cohort: Cohort, enrollments: list[Enrollment], rng: random.Random) -> None:
        """Most members completed (alumni with an outcome note); then the cohort finishes and the
        facilitator is paid out, as the sweep does once the last week ends."""
        by = cohort.facilitator.user
        completed_at = cohort.ends_at - timedelta(days=1)
        for n, enrollment in enumerate(enrollments):
            if n == 0:
                continue  # one member dropped out along the way
            services.enrollment_mark_completed(
                enrollment=enrollment, by=by, outcome_note=OUTCOMES[n % len(OUTCOMES)]
            )
        services.cohort_finish(cohort=cohort, by=by)
        Enrollment.objects.filter(cohort=cohort, state=Enrollment.State.COMPLETED).update(
            completed_at=completed_at
        )
        Cohort.objects.filter(pk=cohort.pk).update(finished_at=cohort.ends_at)


def seed_cohorts(*, now: datetime, mentors: list[MentorProfile], mentees: list, demo_mentee) -> None:
    CohortDemo(now=now, mentors=mentors, mentees=mentees, demo_mentee=demo_mentee).run()


def cohort_summary() -> str:
    statuses = dict(Cohort.objects.values_list("status").annotate(n=Count("pk")).order_by())
    members = Enrollment.objects.filter(state__in=Enrollment.MEMBER_STATES).count()
    waitlisted = Enrollment.objects.filter(state=Enrollment.State.WAITLISTED).count()
    return (
        f"{sum(statuses.values())} — "
        + ", ".join(f"{s} {statuses.get(s, 0)}" for s in Cohort.Status.values)
        + f" · {members} members, {waitlisted} waitlisted"
    )
