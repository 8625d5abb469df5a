"""Writes about one person's account: deleting it, keeping what the law needs kept."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cohorts.models import CalendarFeed, Cohort, Enrollment, PeerReview, Submission
from core.errors import DomainError
from core.history import update_with_history
from matching.models import Impression, Intake, Recommendation
from mentors.models import MentorProfile
from mentors.selectors import directory_vocabulary_changed
from mentors.services import mentors_refresh_min_prices
from moderation.models import Report
from moderation.services import audit
from qa.models import Message
from sessions.models import Booking, Offering, Review
from subscriptions.models import Plan, Subscription

from .models import User
from .selectors import EMAIL_SETTINGS

DELETED_NAME = "Deleted user"
DELETED_TEXT = "(deleted with its author's account)"


class AccountError(DomainError):
    """Why the account cannot be deleted yet."""


def account_open_commitments(*, user: User, now=None) -> list[str]:
    """What must end before an account can go: other people rely on these (a session, a seat,
    a subscription), and ending them has refund rules the person should see first."""
    now = now or timezone.now()
    upcoming = Booking.objects.filter(state__in=Booking.ACTIVE_STATES, ends_at__gt=now)
    running = ~Q(cohort__status__in=[Cohort.Status.CANCELLED, Cohort.Status.FINISHED])
    checks = [
        (upcoming.filter(mentee=user).count(), "upcoming session{s} you booked: cancel {them} first"),
        (upcoming.filter(mentor__user=user).count(), "upcoming session{s} you give: cancel {them} first"),
        (
            Subscription.objects.filter(mentee=user, status__in=Subscription.OPEN_STATUSES).count(),
            "subscription{s} still running: cancel {them} and delete the account once {they} end",
        ),
        (
            Subscription.objects.filter(mentor__user=user, status__in=Subscription.OPEN_STATUSES).count(),
            "subscriber{s} to your plans: unpublish the plans and wait for the subscriptions to end",
        ),
        (
            Enrollment.objects.filter(running, member=user, state__in=Enrollment.OPEN_STATES).count(),
            "cohort{s} you are in or waiting for: leave {them} first",
        ),
        (
            Cohort.objects.filter(facilitator__user=user, status=Cohort.Status.PUBLISHED).count(),
            "published cohort{s} you facilitate: cancel {them} or let {them} finish first",
        ),
    ]
    return [
        f"{n} "
        + text.format(
            s="" if n == 1 else "s", them="it" if n == 1 else "them", they="it" if n == 1 else "they"
        )
        for n, text in checks
        if n
    ]


def account_delete(*, user: User, now=None) -> None:
    """Erase a person: sign-in, e-mail address, profile and everything they wrote. Bookings,
    payments, refunds and payouts stay (amounts, dates, states) because bookkeeping law keeps
    them for years; they now point at an anonymous, inactive account."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            raise AccountError("This account is already deleted.")
        blockers = account_open_commitments(user=user, now=now)
        if blockers:
            raise AccountError("Your account cannot be deleted yet. " + "; ".join(blockers) + ".")
        email, name = user.email, user.name

        Booking.objects.filter(mentee=user).update(
            outcome=DELETED_TEXT, prework_answers=[], context_notes="", links=""
        )
        Review.objects.filter(booking__mentee=user).update(text="")
        Message.objects.filter(author=user).update(body=DELETED_TEXT)
        Submission.objects.filter(enrollment__member=user).update(text=DELETED_TEXT, links="")
        PeerReview.objects.filter(reviewer__member=user).update(what_works="", suggestion="", question="")
        Enrollment.objects.filter(member=user).update(outcome_note="", facilitator_notes="")
        Enrollment.history.filter(member=user).update(outcome_note="")  # past versions forget it too
        Report.objects.filter(reporter=user).update(note="")
        for model in (Intake, Recommendation, Impression, CalendarFeed, EmailAddress):
            model.objects.filter(user=user).delete()
        mentor = MentorProfile.objects.filter(user=user).first()
        if mentor is not None:
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

        from .tasks import send_account_deleted

        send_account_deleted.delay_on_commit(email, name)
