"""Reads about one person: everything TheMentors holds about them, as a download."""

from __future__ import annotations

from django.db.models import F, Q

from billing.models import Payment, Refund
from cohorts.models import Enrollment, PeerReview, Submission
from matching.models import Intake
from mentors.models import MentorProfile
from moderation.models import Report
from qa.models import Message
from sessions.models import Booking, Review
from subscriptions.models import Subscription

from .models import User

EMAIL_SETTINGS = [f.name for f in User._meta.fields if f.name.startswith("email_")]


def personal_data(*, user) -> dict:
    """What the person wrote and did here, and what they paid: their own words in full, other
    people only by name (the counterpart's pre-work or messages are that person's data)."""
    mentor = MentorProfile.objects.filter(user=user).first()
    intake = Intake.objects.filter(user=user).first()
    return {
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "timezone": user.timezone,
            "joined": user.date_joined,
            "last_login": user.last_login,
            "email_settings": {name: getattr(user, name) for name in EMAIL_SETTINGS},
        },
        "mentor_profile": mentor
        and {
            "headline": mentor.headline,
            "bio": mentor.bio,
            "status": mentor.status,
            "timezone": mentor.timezone,
            "years_experience": mentor.years_experience,
            "skills": list(mentor.skills.values_list("name", flat=True)),
            "applied_at": mentor.applied_at,
        },
        "sessions_booked": list(
            Booking.objects.filter(mentee=user)
            .order_by("starts_at")
            .values(
                "id",
                "starts_at",
                "ends_at",
                "state",
                "outcome",
                "prework_answers",
                "context_notes",
                "links",
                "price_amount",
                "currency",
                offering_title=F("offering__title"),
                mentor_name=F("mentor__user__display_name"),
                action_item_text=F("action_item__text"),
                action_item_done_at=F("action_item__done_at"),
            )
        ),
        "sessions_given": list(
            Booking.objects.filter(mentor__user=user)
            .order_by("starts_at")
            .values(
                "id",
                "starts_at",
                "ends_at",
                "state",
                "price_amount",
                "currency",
                offering_title=F("offering__title"),
                mentee_name=F("mentee__display_name"),
            )
        ),
        "reviews_written": list(
            Review.objects.filter(booking__mentee=user).values("booking_id", "rating", "text", "created_at")
        ),
        "messages_written": list(
            Message.objects.filter(author=user)
            .order_by("created_at")
            .values("thread_id", "body", "created_at")
        ),
        "cohort_places": list(
            Enrollment.objects.filter(member=user).values(
                "id",
                "state",
                "price_amount",
                "currency",
                "joined_at",
                "left_at",
                "outcome_note",
                cohort_title=F("cohort__title"),
            )
        ),
        "assignments_submitted": list(
            Submission.objects.filter(enrollment__member=user).values(
                "text", "links", "submitted_at", module_title=F("module__title")
            )
        ),
        "peer_reviews_written": list(
            PeerReview.objects.filter(reviewer__member=user, submitted_at__isnull=False).values(
                "what_works", "suggestion", "question", "submitted_at"
            )
        ),
        "subscriptions": list(
            Subscription.objects.filter(mentee=user).values(
                "id",
                "status",
                "created_at",
                plan_name=F("plan__name"),
                price_amount=F("plan__price_amount"),
                currency=F("plan__currency"),
            )
        ),
        "payments": list(
            Payment.objects.filter(
                Q(booking__mentee=user) | Q(enrollment__member=user) | Q(subscription__mentee=user)
            )
            .order_by("created_at")
            .values("id", "amount", "currency", "state", "created_at")
        ),
        "refunds": list(
            Refund.objects.filter(
                Q(payment__booking__mentee=user)
                | Q(payment__enrollment__member=user)
                | Q(payment__subscription__mentee=user)
            )
            .order_by("created_at")
            .values("amount", "currency", "state", "reason", "created_at")
        ),
        "match_intake": intake
        and {
            "need": intake.need,
            "skills": list(intake.skills.values_list("name", flat=True)),
            "budget_amount": intake.budget_amount,
            "currency": intake.currency,
            "days": intake.days,
            "hours_from": intake.hours_from,
            "hours_to": intake.hours_to,
            "format": intake.format,
        },
        "reports_made": list(
            Report.objects.filter(reporter=user).values(
                "kind", "target_repr", "reason", "note", "status", "created_at"
            )
        ),
    }
