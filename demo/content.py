"""The demo's people and words, read from the TOML files in demo/data/.

Read once per process. The seed draws from these lists with seeded random generators, so
their order is part of what the demo looks like: reordering a list changes who books what.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import time
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

Window = tuple[time, time]
Week = dict[int, list[Window]]  # weekday (0 = Monday) -> local wall-clock windows


@cache
def load(name: str) -> dict:
    with (DATA / f"{name}.toml").open("rb") as file:
        return tomllib.load(file)


# --- times and days as the files write them: "09:30", "09:00-17:00", "mon-fri", "tue,thu"


def clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def window(text: str) -> Window:
    start, end = text.split("-")
    return clock(start), clock(end)


def weekdays(text: str) -> list[int]:
    days = []
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        days += range(DAYS.index(first), DAYS.index(last or first) + 1)
    return days


def week(table: dict[str, list[str]]) -> Week:
    hours = {day: [window(w) for w in windows] for days, windows in table.items() for day in weekdays(days)}
    return dict(sorted(hours.items()))


# --- what mentors sell


@dataclass(frozen=True)
class Prompt:
    text: str
    answers: tuple[str, ...]


@dataclass(frozen=True)
class Template:
    """An offering as mentors of a skill sell it, and what its mentees write."""

    title: str
    outcome: str
    minutes: int
    prompts: tuple[str, ...]  # keys of PROMPTS
    booking_outcomes: tuple[str, ...]
    action_items: tuple[str, ...]
    blurb: str

    @property
    def description(self) -> str:
        return _offerings["description"].format(blurb=self.blurb, outcome=self.outcome.lower())


def _template(row: dict) -> Template:
    return Template(
        title=row["title"],
        outcome=row["outcome"],
        minutes=row["minutes"],
        prompts=tuple(row["prompts"]),
        booking_outcomes=tuple(row["booking_outcomes"]),
        action_items=tuple(row["action_items"]),
        blurb=row["blurb"],
    )


_vocabulary = load("vocabulary")
LANGUAGES: dict[str, str] = _vocabulary["languages"]  # code -> name
SKILL_BLURBS: dict[str, str] = _vocabulary["skills"]  # name -> the line a bio shows
SKILL_SYNONYMS: dict[str, list[str]] = _vocabulary["synonyms"]  # name -> other words for it
EXCHANGE_RATES: dict[str, str] = _vocabulary["exchange_rates"]  # currency -> units for 1 USD
LOCAL_CURRENCIES: dict[str, str] = _vocabulary["local_currencies"]  # time zone -> currency
PROMPTS = {key: Prompt(row["prompt"], tuple(row["answers"])) for key, row in load("prompts").items()}
_offerings = load("offerings")
INTRO_CALL = _template(_offerings["intro_call"])
TEMPLATES = {skill: [_template(row) for row in rows] for skill, rows in _offerings["skills"].items()}


def template_titled(title: str) -> Template:
    if title == INTRO_CALL.title:
        return INTRO_CALL
    return next(t for templates in TEMPLATES.values() for t in templates if t.title == title)


# --- people


@dataclass(frozen=True)
class Persona:
    """A mentor or an applicant. What is not given (hours, rules, overrides, offerings) the
    seed draws at random."""

    name: str
    zone: str
    languages: tuple[str, ...]
    skills: tuple[str, ...]
    years: int
    headline: str
    login: bool = False  # the demo's mentor login
    status: str = "approved"
    reason: str = ""  # why an application was turned down
    hours: Week | None = None
    rules: dict | None = None
    overrides: tuple[tuple[int, str], ...] = ()  # (days ahead, "off" or "extra")
    offerings: tuple[tuple[Template, int, bool], ...] = ()  # (template, price, published)

    @property
    def bio(self) -> str:
        return _people["bio"].format(
            first=self.name.split()[0],
            headline=self.headline,
            years=self.years,
            blurbs="\n".join(f"- {SKILL_BLURBS[skill]}" for skill in self.skills),
            city=self.zone.split("/")[-1].replace("_", " "),
            languages=" and ".join(LANGUAGES[code] for code in self.languages),
        )


def _persona(row: dict) -> Persona:
    return Persona(
        name=row["name"],
        zone=row["zone"],
        languages=tuple(row["languages"]),
        skills=tuple(row["skills"]),
        years=row["years"],
        headline=row["headline"],
        login=row.get("login", False),
        status=row.get("status", "approved"),
        reason=row.get("reason", ""),
        hours=week(row["hours"]) if "hours" in row else None,
        rules=row.get("rules"),
        overrides=tuple((o["in_days"], o["kind"]) for o in row.get("overrides", ())),
        offerings=tuple(
            (template_titled(o["title"]), o["price"], not o.get("draft", False))
            for o in row.get("offerings", ())
        ),
    )


_people = load("people")
LOGINS: dict[str, dict] = _people["logins"]  # admin, mentee, moderator: name and zone
MENTORS = [_persona(row) for row in _people["mentors"]]
MENTOR_LOGIN = next(persona for persona in MENTORS if persona.login)
APPLICANTS = [_persona(row) for row in _people["applicants"]]
MENTEES: dict = _people["mentees"]  # count, first_names, last_names, zones
MENTEE_STORY: list[dict] = _people["mentee_story"]
MENTEE_INTAKE: dict = _people["mentee_intake"]
PATTERNS = [week(table) for table in load("hours")["patterns"]]

_texts = load("texts")
REVIEW_TEXTS = {int(rating): texts for rating, texts in _texts["reviews"].items()}
MENTOR_REPLIES: list[str] = _texts["mentor_replies"]
MENTEE_CANCEL_NOTES: list[str] = _texts["mentee_cancel_notes"]
MENTOR_CANCEL_NOTES: list[str] = _texts["mentor_cancel_notes"]
CONTEXT_NOTES: list[str] = _texts["context_notes"]
REPORTS: dict = _texts["reports"]  # reasons, note
