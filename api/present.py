"""Rows as the API shows them (api/schemas.py), and pages of a list without counting it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.http import HttpRequest

from cohorts.models import Cohort
from mentors.models import MentorProfile
from sessions import policy
from sessions.models import Booking, Offering

MAX_OFFSET = 10_000  # deeper offsets read every row before them


def absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def page(request: HttpRequest, rows, *, limit: int, offset: int, present) -> dict:
    """One page of `rows` (a queryset, or anything sliced alike): `limit + 1` rows are read to know
    whether a next page exists, so no page counts the whole list (core/pagination.py does alike)."""
    window = list(rows[offset : offset + limit + 1])

    def link(at: int) -> str:
        query = request.GET.copy()
        query["limit"], query["offset"] = str(limit), str(at)
        return absolute(request, f"{request.path}?{query.urlencode()}")

    has_next = len(window) > limit and offset + limit <= MAX_OFFSET
    return {
        "results": [present(request, row) for row in window[:limit]],
        "limit": limit,
        "offset": offset,
        "next": link(offset + limit) if has_next else None,
        "previous": link(max(offset - limit, 0)) if offset > 0 else None,
    }


def mentor(request: HttpRequest, m: MentorProfile) -> dict:
    return {
        "slug": m.slug,
        "name": m.user.name,
        "headline": m.headline,
        "timezone": m.timezone,
        "years_experience": m.years_experience,
        "skills": [{"slug": s.slug, "name": s.name} for s in m.skills.all()],
        "rating_average": float(m.rating_average) if m.rating_average is not None else None,
        "rating_count": m.rating_count,
        "lowest_price_amount": m.min_published_price,
        "next_free_slot_at": m.next_free_slot_at,
        "url": absolute(request, m.get_absolute_url()),
    }


def mentor_detail(request: HttpRequest, m: MentorProfile, offerings: list[Offering]) -> dict:
    return {
        **mentor(request, m),
        "bio": m.bio,
        "languages": [{"code": lang.code, "name": lang.name} for lang in m.languages.all()],
        "offerings": [offering(request, o) for o in offerings],
    }


def offering(request: HttpRequest, o: Offering) -> dict:
    return {
        "slug": o.slug,
        "title": o.title,
        "outcome": o.outcome,
        "description": o.description,
        "mentor": o.mentor.slug,
        "mentor_name": o.mentor.user.name,
        "duration_minutes": o.duration_minutes,
        "price_amount": o.price_amount,
        "currency": o.currency,
        "is_free": o.is_free,
        "is_intro": o.is_intro,
        "requires_approval": o.requires_approval,
        "cancellation_window_hours": o.cancellation_window_hours,
        "prework_prompts": list(o.prework_prompts),
        "url": absolute(request, o.get_absolute_url()),
    }


def slot(start: datetime, *, minutes: int, zone: ZoneInfo) -> dict:
    return {
        "starts_at": start,
        "ends_at": start + timedelta(minutes=minutes),
        "local_starts_at": start.astimezone(zone).isoformat(),
    }


def cohort(request: HttpRequest, c: Cohort) -> dict:
    return {
        "slug": c.slug,
        "title": c.title,
        "outcome": c.outcome,
        "facilitator": c.facilitator.slug,
        "facilitator_name": c.facilitator.user.name,
        "start_date": c.start_date,
        "weeks": c.weeks,
        "timezone": c.timezone,
        "price_amount": c.price_amount,
        "currency": c.currency,
        "seats_max": c.seats_max,
        "seats_taken": c.seats_taken,
        "seats_left": c.seats_left,
        "waitlist_count": c.waitlist_count,
        "phase": c.phase.value,
        "enrollment_deadline": c.enrollment_deadline,
        "url": absolute(request, c.get_absolute_url()),
    }


def booking(request: HttpRequest, b: Booking, *, user, now: datetime) -> dict:
    can = policy.booking_actions(b, user=user, now=now)
    return {
        "id": b.pk,
        "state": b.state,
        "state_label": str(b.get_state_display()),
        "role": "mentee" if b.mentee_id == user.pk else "mentor",
        "offering": b.offering.slug,
        "offering_title": b.offering.title,
        "mentor": b.mentor.slug,
        "mentor_name": b.mentor.user.name,
        "mentee_name": b.mentee.name,
        "starts_at": b.starts_at,
        "ends_at": b.ends_at,
        "price_amount": b.price_amount,
        "currency": b.currency,
        "outcome": b.outcome,
        "prework": [{"prompt": p, "answer": a} for p, a in b.prework_pairs],
        "join_url": b.join_url,
        "reschedule_count": b.reschedule_count,
        "cancellation_deadline": policy.cancellation_deadline(b),
        "can_cancel": can.cancel,
        "can_reschedule": can.reschedule,
        "url": absolute(request, b.get_absolute_url()),
    }
