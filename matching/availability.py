"""Free time for the ranking: which mentors' free slots a need counts (the availability
shortlist), how they count inside the mentee's days and hours, and the candidates with those
counts (`WithFreeSlots`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sessions.selectors import free_slots_for

from . import scoring

if TYPE_CHECKING:
    from .selectors import Catalogue

# Free slots are counted (with the slot engine) for this many mentors, the best by every other
# signal; the rest count as having none in the mentee's hours (they rank below anyway).
AVAILABILITY_SHORTLIST = 200
SLOT_LENGTH = timedelta(minutes=30)
WEEK = timedelta(days=7)


def in_hours(moment: datetime, need: scoring.Need) -> bool:
    local = moment.astimezone(need.zone)
    if need.days and local.weekday() not in need.days:
        return False
    if need.hours is None:
        return True
    start, end = need.hours
    wall = local.time()
    return start <= wall < end if start < end else (wall >= start or wall < end)  # overnight hours


class WithFreeSlots(Sequence):
    """The candidates, each with its mentor's `free_slots_in_hours` from `counts` (mentor id ->
    count; absent: none), made when first read and kept."""

    def __init__(self, candidates: list[scoring.Candidate], counts: dict[int, int]):
        self._candidates = candidates
        self._counts = counts
        self._mentors: dict[int, scoring.Mentor] = {}
        self._made: dict[int, scoring.Candidate] = {}

    def __len__(self) -> int:
        return len(self._candidates)

    def __getitem__(self, position):
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(len(self)))]
        if position < 0:
            position += len(self)
        made = self._made.get(position)
        if made is None:
            made = self._made[position] = self._with_slots(self._candidates[position])
        return made

    def _with_slots(self, candidate: scoring.Candidate) -> scoring.Candidate:
        n = self._counts.get(candidate.mentor.id, 0)
        if not n:
            return candidate
        mentor = self._mentors.get(candidate.mentor.id) or self._mentors.setdefault(
            candidate.mentor.id, replace(candidate.mentor, free_slots_in_hours=n)
        )
        return replace(candidate, mentor=mentor)


def shortlist_free_slots(need: scoring.Need, known: Catalogue, now: datetime) -> dict[int, list[datetime]]:
    """Free 30-minute starts in the next 7 days of the mentors most relevant to the need (by
    shared skills and words of their headline and skill names, then reviews, then id). Only the
    mentors who share a skill or such a word are compared (the catalogue's `mentors_by_term`);
    the rest, all equally irrelevant, fill the list in the catalogue's `by_reviews` order."""
    terms = set(scoring.words(need.text))
    by_term = known.mentors_by_term or {}
    found = {pk for term in terms for pk in by_term.get(term, ())}
    found |= {pk for slug in need.skills for pk in by_term.get("skill:" + slug, ())}

    def relevance(pk: int) -> tuple:
        shared = len(need.skills & known.skills[pk].keys())
        words = len(terms & known.profile_words[pk])
        return (-(shared * 2 + words), -(known.profiles[pk].rating_count or 0), pk)

    chosen = sorted((pk for pk in found if relevance(pk)[0] < 0), key=relevance)[:AVAILABILITY_SHORTLIST]
    if len(chosen) < AVAILABILITY_SHORTLIST:
        taken = set(chosen)
        for pk in known.by_reviews:
            if len(chosen) >= AVAILABILITY_SHORTLIST:
                break
            if pk not in taken:
                chosen.append(pk)
    shortlist = [known.profiles[pk] for pk in chosen]
    return free_slots_for(mentors=shortlist, duration=SLOT_LENGTH, start=now, end=now + WEEK, now=now)


def separate_sessions(starts: list[datetime]) -> int:
    """How many 30-minute sessions fit one after another (starts are on a 15-minute grid, so
    counting them all would count each free hour three times)."""
    count, free_from = 0, None
    for start in starts:
        if free_from is None or start >= free_from:
            count += 1
            free_from = start + SLOT_LENGTH
    return count
