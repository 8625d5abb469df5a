"""Your data: the export of everything TheMentors holds about a person, and the deletion of an
account. Both reach into every app (sessions, seats, subscriptions, messages, reports…), so they
live here at the top, beside the person's dashboard, rather than in `accounts` below them all."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from accounts.hooks import account_erasing, personal_data_asked
from accounts.models import KnownDevice, User
from accounts.tasks import send_account_deleted
from billing.models import Payment, Refund
from calendars.models import CalendarConnection
from cohorts.models import CalendarFeed, Cohort, Enrollment, PeerReview, Submission
from core.emails import language_of
from core.errors import DomainError
from core.history import update_with_history
from matching.models import Impression, Intake, Recommendation
from mentors.models import MentorProfile
from mentors.selectors import directory_vocabulary_changed
from moderation.audit import audit
from moderation.models import Report
from qa.models import Message, Question
from sessions.models import Booking, Offering, Review
from sessions.previews import mentors_refresh_min_prices
from subscriptions.models import Plan, Subscription
from webhooks.models import WebhookEndpoint

EMAIL_SETTINGS = [f.name for f in User._meta.fields if f.name.startswith("email_")]


def personal_data(*, user: User) -> dict[str, Any]:
    """What the person wrote and did here, and what they paid: their own words in full, other
    people only by name (the counterpart's pre-work or messages are that person's data)."""
    mentor = MentorProfile.objects.filter(user=user).first()
    intake = Intake.objects.filter(user=user).first()
    more: dict[str, Any] = {}
    for sections in personal_data_asked.call(user=user):
        more.update(sections)
    return {
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "timezone": user.timezone,
            "language": user.language,
            "browser_language": user.browser_language,
            "joined": user.date_joined,
            "last_login": user.last_login,
            "email_settings": {name: getattr(user, name) for name in EMAIL_SETTINGS},
            "two_factor": sorted(Authenticator.objects.filter(user=user).values_list("type", flat=True)),
            "browsers_signed_in_from": list(
                KnownDevice.objects.filter(user=user)
                .order_by("first_seen_at")
                .values("user_agent", "ip", "first_seen_at", "last_seen_at")
            ),
        },
        # Sign-in with Google or LinkedIn: what the provider told us about the person.
        "sign_in_services": [
            {
                "provider": account.provider,
                "account_id": account.uid,
                "connected": account.date_joined,
                "last_login": account.last_login,
                "profile": account.extra_data,
            }
            for account in SocialAccount.objects.filter(user=user).order_by("date_joined")
        ],
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
        "questions_asked": list(
            Question.objects.filter(mentee=user)
            .order_by("created_at")
            .values("id", "kind", "state", "body", "price_amount", "currency", "asked_at", "answered_at")
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
            "budget_per": intake.budget_per,
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
        # A mentor's connections: what they are called and point at, never their credentials.
        "calendars_connected": list(
            CalendarConnection.objects.filter(mentor__user=user).values(
                "name", "kind", "username", "created_at", "last_synced_at"
            )
        ),
        "webhook_endpoints": list(
            WebhookEndpoint.objects.filter(mentor__user=user).values(
                "url", "description", "events", "is_active", "created_at"
            )
        ),
        **more,
    }


# --- deleting an account ------------------------------------------------------------------

DELETED_NAME = "Deleted user"
DELETED_TEXT = "(deleted with its author's account)"


class AccountError(DomainError):
    """Why the account cannot be deleted yet."""


def account_open_commitments(*, user: User, now: datetime | None = None) -> list[str]:
    """What must end before an account can go: other people rely on these (a session, a seat,
    a subscription), and ending them has refund rules the person should see first."""
    now = now or timezone.now()
    upcoming = Booking.objects.filter(state__in=Booking.ACTIVE_STATES, ends_at__gt=now)
    running = ~Q(cohort__status__in=[Cohort.Status.CANCELLED, Cohort.Status.FINISHED])
    checks = [
        (
            upcoming.filter(mentee=user).count(),
            ngettext_lazy(
                "%(count)s upcoming session you booked: cancel it first",
                "%(count)s upcoming sessions you booked: cancel them first",
                "count",
            ),
        ),
        (
            upcoming.filter(mentor__user=user).count(),
            ngettext_lazy(
                "%(count)s upcoming session you give: cancel it first",
                "%(count)s upcoming sessions you give: cancel them first",
                "count",
            ),
        ),
        (
            Subscription.objects.filter(mentee=user, status__in=Subscription.OPEN_STATUSES).count(),
            ngettext_lazy(
                "%(count)s subscription still running: cancel it and delete the account once it ends",
                "%(count)s subscriptions still running: cancel them and delete the account once they end",
                "count",
            ),
        ),
        (
            Subscription.objects.filter(mentor__user=user, status__in=Subscription.OPEN_STATUSES).count(),
            ngettext_lazy(
                "%(count)s subscriber to your plans: "
                "unpublish the plans and wait for the subscriptions to end",
                "%(count)s subscribers to your plans: "
                "unpublish the plans and wait for the subscriptions to end",
                "count",
            ),
        ),
        (
            Enrollment.objects.filter(running, member=user, state__in=Enrollment.OPEN_STATES).count(),
            ngettext_lazy(
                "%(count)s cohort you are in or waiting for: leave it first",
                "%(count)s cohorts you are in or waiting for: leave them first",
                "count",
            ),
        ),
        (
            Cohort.objects.filter(facilitator__user=user, status=Cohort.Status.PUBLISHED).count(),
            ngettext_lazy(
                "%(count)s published cohort you facilitate: cancel it or let it finish first",
                "%(count)s published cohorts you facilitate: cancel them or let them finish first",
                "count",
            ),
        ),
        (
            Question.objects.filter(mentor__user=user, kind="paid", state=Question.State.OPEN).count(),
            ngettext_lazy(
                "%(count)s paid question waiting for your answer: answer it first",
                "%(count)s paid questions waiting for your answer: answer them first",
                "count",
            ),
        ),
    ]
    return [message % {"count": n} for n, message in checks if n]


def account_delete(*, user: User, now: datetime | None = None) -> None:
    """Erase a person: sign-in, e-mail address, profile and everything they wrote. Bookings,
    payments, refunds and payouts stay (amounts, dates, states) because bookkeeping law keeps
    them for years; they now point at an anonymous, inactive account."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            raise AccountError(_("This account is already deleted."))
        blockers = account_open_commitments(user=user, now=now)
        if blockers:
            raise AccountError(
                _("Your account cannot be deleted yet. %(blockers)s.") % {"blockers": "; ".join(blockers)}
            )
        email, name = user.email, user.name

        Booking.objects.filter(mentee=user).update(
            outcome=DELETED_TEXT, prework_answers=[], context_notes="", links=""
        )
        Review.objects.filter(booking__mentee=user).update(text="")
        Message.objects.filter(author=user).update(body=DELETED_TEXT)
        Question.objects.filter(mentee=user).update(body=DELETED_TEXT)
        Submission.objects.filter(enrollment__member=user).update(text=DELETED_TEXT, links="")
        PeerReview.objects.filter(reviewer__member=user).update(what_works="", suggestion="", question="")
        Enrollment.objects.filter(member=user).update(outcome_note="", facilitator_notes="")
        Enrollment.history.filter(member=user).update(outcome_note="")  # past versions forget it too
        Report.objects.filter(reporter=user).update(note="")
        for model in (
            Intake,
            Recommendation,
            Impression,
            CalendarFeed,
            EmailAddress,
            KnownDevice,
            Authenticator,
            UserSession,
            SocialAccount,
        ):
            model.objects.filter(user=user).delete()
        account_erasing.call(user=user)
        mentor = MentorProfile.objects.filter(user=user).first()
        if mentor is not None:
            # Their calendars' credentials and busy time, their endpoints' secrets and delivery log.
            CalendarConnection.objects.filter(mentor=mentor).delete()
            WebhookEndpoint.objects.filter(mentor=mentor).delete()
            for rows in (Offering.objects.filter(mentor=mentor), Plan.objects.filter(mentor=mentor)):
                update_with_history(
                    rows.filter(is_published=True), reason="account deleted", is_published=False
                )
            MentorProfile.objects.filter(pk=mentor.pk).update(
                status=MentorProfile.Status.REJECTED,
                review_reason="Account deleted by its owner",
                headline=DELETED_NAME,
                bio="",
                photo="",
                upcoming_slots=[],
            )
            mentors_refresh_min_prices(mentor_ids=[mentor.pk])
            directory_vocabulary_changed()

        user.email = f"deleted-{user.pk}@deleted.invalid"
        user.display_name = DELETED_NAME
        user.is_active = False
        user.set_unusable_password()  # also ends every other signed-in session
        for setting in EMAIL_SETTINGS:
            setattr(user, setting, False)
        user.save()
        audit(actor=None, action="account.delete", target=user, reason="Deleted by its owner")

        send_account_deleted.delay_on_commit(email, name, language_of(user))
