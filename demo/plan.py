"""Who the demo's people are and who books what, decided without the database or the clock.

Seeded random generators draw from demo/data/ (through `content`), so every run makes the same
plan and a second run finds everything the first one wrote. Only the writing (people.py,
bookings.py) looks at the clock: which past days, which free slot.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field

from django.utils.text import slugify

from sessions.models import Booking

from .content import (
    CONTEXT_NOTES,
    INTRO_CALL,
    MENTEE_CANCEL_NOTES,
    MENTEE_STORY,
    MENTEES,
    MENTOR_CANCEL_NOTES,
    MENTOR_REPLIES,
    MENTORS,
    PATTERNS,
    PROMPTS,
    REVIEW_TEXTS,
    TEMPLATES,
    Persona,
    Template,
    Week,
)
from .world import Story

State = Booking.State
SEED = 20240917
PASSWORD = "demo-pass-123"
DOMAIN = "demo.thementors.test"
MENTEE_LOGIN = f"mentee@{DOMAIN}"
MENTOR_LOGIN = f"mentor@{DOMAIN}"
ADMIN_LOGIN = f"admin@{DOMAIN}"
MODERATOR_LOGIN = f"moderator@{DOMAIN}"
BOOKING_NAMESPACE = uuid.UUID("6f1c9a52-3d0e-4b8e-9a57-0d3c1b7f2e61")
PAST_DAYS = 90
UPCOMING_DAYS = 14


def email_for(name: str) -> str:
    return f"{slugify(name).replace('-', '.')}@{DOMAIN}"


@dataclass(kw_only=True)
class PlannedBooking(Story):
    mentee: str  # e-mail
    offering: str  # slug
    join_token: str
    days_ago: int | None = None  # for a forced past day; None picks one at random
    slot_fraction: float = 0.0  # where among the free slots an upcoming booking lands
    upcoming: bool = False


@dataclass
class MentorPlan:
    persona: Persona
    email: str
    slug: str
    pattern: Week
    offerings: list[dict] = field(default_factory=list)  # slug, template and Offering fields
    rules: dict = field(default_factory=dict)
    overrides: list[tuple[int, str]] = field(default_factory=list)  # (days ahead, kind)
    bookings: list[PlannedBooking] = field(default_factory=list)


class DemoPlan:
    """Decides everything the demo contains, without looking at the database or the clock."""

    def __init__(self):
        rng = random.Random(f"{SEED}:people")
        self.mentees = []
        for i in range(1, MENTEES["count"] + 1):
            name = f"{rng.choice(MENTEES['first_names'])} {rng.choice(MENTEES['last_names'])}"
            self.mentees.append((f"mentee{i:03d}@{DOMAIN}", name, rng.choice(MENTEES["zones"])))
        self.mentors = [self._mentor(persona) for persona in MENTORS]
        self._mentee_login_story()

    def _mentor(self, persona: Persona) -> MentorPlan:
        """What is not given in people.toml is drawn, in a fixed order, from the mentor's own
        generator."""
        rng = random.Random(f"{SEED}:mentor:{persona.name}")
        plan = MentorPlan(
            persona=persona,
            email=MENTOR_LOGIN if persona.login else email_for(persona.name),
            slug=slugify(persona.name),
            pattern=persona.hours or rng.choice(PATTERNS),
        )
        plan.rules = persona.rules or {
            "buffer_before": rng.choice([0, 0, 0, 5, 10]),
            "buffer_after": rng.choice([0, 10, 15, 15, 30]),
            "minimum_notice": rng.choice([60, 240, 720, 720, 1440]),
            "horizon_days": rng.choice([30, 60, 60, 90]),
            "max_sessions_per_day": rng.choice([3, 4, 6, 6, 8]),
        }
        if persona.overrides:
            plan.overrides = list(persona.overrides)
        elif rng.random() < 0.4:
            plan.overrides = [(rng.randint(2, 12), "off")]
            if rng.random() < 0.5:
                plan.overrides.append((rng.randint(4, 20), "extra"))
        plan.offerings = self._offerings(plan, rng)
        self._mentor_bookings(plan, rng, persona.login)
        return plan

    def _offerings(self, plan: MentorPlan, rng: random.Random) -> list[dict]:
        given = bool(plan.persona.offerings)
        if given:
            chosen = list(plan.persona.offerings)
        else:
            pool = [t for skill in plan.persona.skills for t in TEMPLATES[skill]]
            picked = rng.sample(pool, k=min(len(pool), rng.choice([1, 2, 2, 3])))
            if len(picked) < 3 and rng.random() < 0.3:
                picked.insert(0, INTRO_CALL)
            prices = [0, 2500, 2500, 4500, 4500, 6000, 9000, 9000, 12000]
            chosen = [(t, 0 if t is INTRO_CALL else rng.choice(prices), True) for t in picked]
        offerings = []
        for template, price, published in chosen:
            minutes = template.minutes
            if template is not INTRO_CALL and not given and rng.random() < 0.25:
                minutes = rng.choice([30, 45, 60])
            offerings.append(
                {
                    "slug": f"{plan.slug}-{slugify(template.title)}"[:100],
                    "template": template,
                    "duration_minutes": minutes,
                    "price_amount": price,
                    "cancellation_window_hours": 24 if given else rng.choice([12, 24, 24, 48]),
                    "is_published": published,
                }
            )
        return offerings

    def _booking(self, rng, mentee: str, offering: dict, state: str, **extra) -> PlannedBooking:
        template: Template = offering["template"]
        rating = rng.choices([5, 4, 3], weights=[55, 35, 10])[0]
        booking = PlannedBooking(  # the keywords' order is the order of the draws
            mentee=mentee,
            offering=offering["slug"],
            state=state,
            outcome=rng.choice(template.booking_outcomes),
            answers=[rng.choice(PROMPTS[key].answers) for key in template.prompts],
            context_notes=rng.choice(CONTEXT_NOTES),
            join_token=f"{rng.getrandbits(64):016x}",
            action_item=rng.choice(template.action_items),
            action_done=rng.random() < 0.6,
            rating=rating if rng.random() < 0.7 else None,
            review_text=rng.choice(REVIEW_TEXTS[rating]),
            reply=rng.choice(MENTOR_REPLIES) if rng.random() < 0.25 else "",
            cancel_note=rng.choice(
                MENTOR_CANCEL_NOTES if state == State.CANCELLED_BY_MENTOR else MENTEE_CANCEL_NOTES
            ),
            created_lead_days=rng.uniform(2, 14),
            later_hours=rng.uniform(0.2, 30),
            slot_fraction=rng.random(),
        )
        for name, value in extra.items():
            setattr(booking, name, value)
        return booking

    def _mentor_bookings(self, plan: MentorPlan, rng: random.Random, login: bool) -> None:
        """The mentor login has a full diary: 14 past sessions (one yet to close), 4 upcoming ones
        with pre-work, and a hold being paid for."""
        published = [o for o in plan.offerings if o["is_published"]]
        paid = [o for o in published if o["price_amount"]]
        past_count = 14 if login else rng.randint(5, 13)
        upcoming_count = 4 if login else rng.choice([0, 1, 1, 2, 2, 3])
        held = login or rng.random() < 0.15
        # Distinct mentees per mentor, so each (mentee, offering) pair is used once.
        mentees = [m[0] for m in rng.sample(self.mentees, k=past_count + upcoming_count + 2)]
        states = [State.COMPLETED] * 70 + [State.CANCELLED_BY_MENTEE] * 8 + [State.CANCELLED_BY_MENTOR] * 4
        states += [State.NO_SHOW_MENTEE] * 5 + [State.NO_SHOW_MENTOR] * 3 + [State.EXPIRED] * 6
        for i in range(past_count):
            state = rng.choice(states)
            if i == 0 and (login or rng.random() < 0.25):
                state = State.CONFIRMED  # a past session the mentor has yet to close
            offering = rng.choice(paid if state == State.EXPIRED and paid else published)
            if state == State.EXPIRED and not offering["price_amount"]:
                state = State.COMPLETED
            booking = self._booking(rng, mentees.pop(), offering, state)
            if state == State.CONFIRMED:
                booking.days_ago = 1
            plan.bookings.append(booking)
        prework = [o for o in published if o["template"].prompts] or published
        for i in range(upcoming_count):
            offering = rng.choice(prework if login else published)
            booking = self._booking(rng, mentees.pop(), offering, State.CONFIRMED, upcoming=True)
            if login:  # spread over the coming two weeks, the first as soon as possible
                booking.slot_fraction = (0.0, 0.35, 0.6, 0.85)[i]
            plan.bookings.append(booking)
        if held and paid:
            plan.bookings.append(
                self._booking(rng, mentees.pop(), rng.choice(paid), State.HELD, upcoming=True)
            )

    def _mentee_login_story(self) -> None:
        """The mentee login's own sessions (people.toml's mentee_story), each placed first in its
        mentor's list."""
        rng = random.Random(f"{SEED}:demo-mentee")
        by_name = {p.persona.name: p for p in self.mentors}
        for row in MENTEE_STORY:
            plan = by_name[row["mentor"]]
            published = [o for o in plan.offerings if o["is_published"]]
            offering = next((o for o in published if o["template"].title == row["offering"]), published[-1])
            given = ("upcoming", "slot_fraction", "days_ago", "action_done", "review_text")
            extra = {name: row[name] for name in given if name in row}
            if "rating" in row:
                extra["rating"] = row["rating"] or None  # 0: not reviewed yet
            booking = self._booking(rng, MENTEE_LOGIN, offering, row["state"], **extra)
            if row.get("prework_open"):
                booking.answers[-1:] = [""]
            if booking.state == State.CONFIRMED and not booking.upcoming:
                # The session the mentor has yet to close is this one: theirs is closed after all.
                for other in plan.bookings:
                    if other.state == State.CONFIRMED and not other.upcoming:
                        other.state, other.days_ago = State.COMPLETED, None
            plan.bookings.insert(0, booking)
