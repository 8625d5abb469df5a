"""The demo's six cohorts (SPEC §4), one in each state a visitor can meet: enrolling with seats
left, enrolling below its minimum (free), full with a waitlist, running, finished, and a draft.

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
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

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

UTC = ZoneInfo("UTC")
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


NORMS = (
    "- Show up to the live sessions, camera on if you can; tell the group when you cannot.\n"
    "- Ship something every week, even if it is rough. Done beats perfect.\n"
    "- Feedback is specific and kind: what works, one suggestion, one question.\n"
    "- What is shared in the cohort stays in the cohort."
)


M = ModulePlan
PLANS = [
    CohortPlan(
        key="running",
        phase="running",
        facilitator="Lena Fischer",
        title="Land your next engineering role in six weeks",
        outcome="A target list, five polished stories and a practised interview loop",
        skills=("Interviewing", "Hiring", "Career change"),
        modules=(
            M(
                "Know what you want",
                "Most searches fail before the first interview: the target is *any* job. This week "
                "we narrow it to roles, companies and a team shape you would actually say yes to.",
                "Write your one-page target: three kinds of role, ten companies and your deal-breakers.",
            ),
            M(
                "Stories that show your level",
                "Interviewers remember stories, not adjectives. We build five STAR stories that each "
                "prove one thing about you, and cut every sentence that does not.",
                "Write two stories (conflict, and a decision you got wrong) in at most 250 words each.",
            ),
            M(
                "The technical screen",
                "Screens test how you think out loud. We practise a structure for the first five "
                "minutes, and what to do when you are stuck.",
                "Record yourself solving one practice problem out loud and note three moments to improve.",
            ),
            M(
                "System design without panic",
                "A repeatable way through a design interview: requirements, the simple version, then "
                "the bottleneck you can defend.",
                "Sketch a design for a URL shortener and list the two trade-offs you would mention.",
            ),
            M(
                "The hiring manager round",
                "What the manager is really asking, and the questions you should ask back.",
                "Write five questions you will ask a hiring manager, and why each matters to you.",
            ),
            M(
                "Offers and the final decision",
                "Comparing offers on more than money, and negotiating without burning goodwill.",
                "Fill in the offer comparison sheet for a real or an imagined offer.",
            ),
        ),
        start_in_weeks=-2,
        session_at=time(18),
        seats_min=4,
        seats_max=10,
        price_amount=29000,
        members=8,
        member_discount_percent=20,
        demo_mentee="member",
    ),
    CohortPlan(
        key="finished",
        phase="finished",
        facilitator="David Kim",
        title="Negotiate your next offer",
        outcome="Your number, your alternatives and a script you have rehearsed",
        skills=("Negotiation", "Career change"),
        modules=(
            M(
                "Your number",
                "Market data, your alternatives and the lowest offer you would accept.",
                "Write down your walk-away number and the three data points behind it.",
            ),
            M(
                "Your alternatives",
                "A negotiation is only as strong as your best alternative; we make yours stronger.",
                "List your alternatives and one step this week that improves the best one.",
            ),
            M(
                "The script",
                "The first call, the counter and the silence after it.",
                "Write your counter-offer script and rehearse it with a cohort partner.",
            ),
            M(
                "Closing well",
                "Getting it in writing, saying yes (or no) gracefully, and the first 30 days.",
                "Write the e-mail that accepts (or declines) your offer.",
            ),
        ),
        start_in_weeks=-9,
        session_at=time(18, 30),
        seats_min=3,
        seats_max=8,
        price_amount=18000,
        members=6,
        demo_mentee="alumni",
    ),
    CohortPlan(
        key="full",
        phase="full",
        facilitator="Oliver Bennett",
        title="Speak like a leader",
        outcome="A five-minute talk you can give to any room, and the habits behind it",
        skills=("Public speaking", "Leadership"),
        modules=(
            M(
                "One idea",
                "Every good talk is one idea. We find yours and cut the rest.",
                "Write your talk's idea in one sentence of at most 15 words.",
            ),
            M(
                "Openings and closings",
                "The first and last 30 seconds decide what people remember.",
                "Record three different openings and pick the strongest with a partner.",
            ),
            M(
                "Presence",
                "Pace, pauses and what to do with your hands.",
                "Give your talk to a friend and ask them for one thing to change.",
            ),
            M(
                "The real room",
                "Questions, nerves and a live run in front of the cohort.",
                "Deliver your five-minute talk live in the final session.",
            ),
        ),
        start_in_weeks=2,
        session_at=time(19),
        seats_min=3,
        seats_max=6,
        price_amount=24000,
        members=6,
        waitlist=3,
        demo_mentee="waitlist",
    ),
    CohortPlan(
        key="open",
        phase="open",
        facilitator="Sofia Almeida",
        title="Product discovery sprint",
        outcome="Ten user interviews and one decision about what to build next",
        skills=("Product management", "UX research"),
        modules=(
            M(
                "The riskiest assumption",
                "Before talking to anyone, decide what you need to learn.",
                "Write the three assumptions your next feature depends on, riskiest first.",
            ),
            M(
                "Interviews that do not lie",
                "Asking about the past, not the future; listening for what people do.",
                "Run two interviews and share your notes with the cohort.",
            ),
            M(
                "From notes to patterns",
                "Synthesis in an afternoon, without a research team.",
                "Cluster your interview notes and name the two strongest patterns.",
            ),
            M(
                "The decision",
                "Turning what you learned into a bet your team will back.",
                "Write a one-page decision memo: what you will build, what you will not, and why.",
            ),
        ),
        start_in_weeks=3,
        session_at=time(17),
        seats_min=4,
        seats_max=12,
        price_amount=21000,
        members=7,
        deadline_days_before=3,
    ),
    CohortPlan(
        key="below-minimum",
        phase="open",
        facilitator="Marcus Reed",
        title="Fundraising readiness: a free three-week primer",
        outcome="A fundraising narrative, a data room checklist and a target investor list",
        skills=("Fundraising", "Startup strategy"),
        modules=(
            M(
                "The story",
                "Why now, why you, and why this is big: the narrative investors repeat to partners.",
                "Write your fundraising story in ten sentences.",
            ),
            M(
                "The numbers",
                "The five metrics investors ask about at your stage, and how to show them honestly.",
                "Build a one-page metrics summary.",
            ),
            M(
                "The pipeline",
                "Finding the right 50 investors and the warm introductions to reach them.",
                "List 30 target investors with a reason and a path to each.",
            ),
        ),
        start_in_weeks=2,
        session_at=time(12),
        seats_min=5,
        seats_max=15,
        price_amount=0,
        members=2,
        deadline_days_before=4,
    ),
    CohortPlan(
        key="draft",
        phase="draft",
        facilitator="Priya Raman",
        title="Analytics for product people",
        outcome="One metric your team trusts, and the dashboard that shows it",
        skills=("Data science", "Product management"),
        modules=(
            M(
                "Questions before queries",
                "Start from the decision the number will change.",
                "Write the three product decisions your team will make this quarter.",
            ),
            M(
                "One metric that matters",
                "Picking, defining and defending a single north-star metric.",
                "Define your metric precisely enough that two people would compute the same number.",
            ),
        ),
        start_in_weeks=5,
        session_at=time(17, 30),
        seats_min=4,
        seats_max=10,
        price_amount=15000,
        members=0,
    ),
]

SUBMISSIONS = [
    "Here is my draft. I focused on the part I find hardest and kept it short on purpose.",
    "First attempt below. I am not sure the second half works; feedback very welcome.",
    "Done, with notes on what I changed after our live session.",
    "My version is rough but honest. The links have the longer draft.",
    "I rewrote this twice: the second version is the one I would actually use.",
]
FEEDBACK = [
    (
        "The opening is concrete and I immediately knew what you meant.",
        "Cut the second paragraph: it repeats the first.",
        "What would you do differently if you had to do it again tomorrow?",
    ),
    (
        "Clear structure; the numbers make it believable.",
        "Say what you want the reader to do at the very start.",
        "Who else did you consider asking for input?",
    ),
    (
        "It sounds like you, which makes it memorable.",
        "Add one example from your current job.",
        "How will you know this worked?",
    ),
]
OUTCOMES = [
    "Negotiated 12% more base salary and an extra week of holiday.",
    "Turned down an offer that was wrong for me, and got a better one two weeks later.",
    "Got a signing bonus I would never have asked for before.",
    "Asked for (and got) a title change along with the offer.",
    "Finally know my number; used the script in two negotiations already.",
]
MESSAGES = [
    ("Welcome, and how we work", "Read the norms once more before Tuesday, and bring one question."),
    ("Week 2 recordings", "The recording and slides from Tuesday are in the module notes."),
    ("Critique round is open", "Each of you has two pieces of work to review; be specific and kind."),
]


def _local(day: date, wall: time, zone) -> datetime:
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


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
            description=(
                f"{plan.outcome}, in {plan.weeks} weeks with a small group and "
                f"{facilitator.user.name}.\n\nEach week: a live session on Tuesday, office hours on "
                "Thursday and a short assignment that the group critiques."
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
                release_at=_local(start + timedelta(weeks=week - 1), time(0), zone),
                assignment_due_at=_local(start + timedelta(weeks=week - 1, days=6), time(20), zone),
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
            starts_at = _local(day, wall, cohort.zone)
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
