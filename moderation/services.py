"""Every moderation write: users report things, staff decide reports and hide or restore
reviews, people contest no-show reports and staff decide them, strikes are upheld or voided;
each staff action leaves an AuditEntry."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from billing.services import platform_fee
from core.errors import DomainError
from core.money import format_money
from mentors.models import MentorProfile
from mentors.services import MentorError
from qa.models import Message
from sessions.models import Booking, BookingEvent, Offering, Review
from sessions.policy import CONTEST_WINDOW, may_contest_no_show
from sessions.previews import mentor_refresh_free_slots_later, mentor_refresh_min_price
from sessions.services import BookingError, booking_settle_no_show, review_set_hidden

from . import selectors, tasks
from .audit import audit, describe_target
from .models import MAX_NOTE_LENGTH, NoShowDispute, Report, Strike
from .standing import mentor_suspend

REPORTS_PER_HOUR = 10
STRIKES_TO_SUSPEND = 3

State = Booking.State
Outcome = NoShowDispute.Outcome
OUTCOME_STATES = {
    Outcome.HAPPENED: State.COMPLETED,
    Outcome.MENTEE_ABSENT: State.NO_SHOW_MENTEE,
    Outcome.MENTOR_ABSENT: State.NO_SHOW_MENTOR,
}


class ModerationError(DomainError):
    """A report or a decision that cannot be made."""


def report_create(
    *, reporter: User, target: Model, reason: str, note: str = "", now: datetime | None = None
) -> Report:
    """A user reports something they can see; one open report per person and object."""
    now = now or timezone.now()
    if reason not in Report.Reason.values:
        raise ModerationError(_("Choose a reason for the report."))
    if len(note) > Report._meta.get_field("note").max_length:
        raise ModerationError(_("The note is too long (1000 characters at most)."))
    if selectors.author_id_of(target) == reporter.pk:
        raise ModerationError(_("You cannot report your own content."))
    content_type = ContentType.objects.get_for_model(target)
    with transaction.atomic():
        # Serialise one person's reports so the hourly count cannot be raced past.
        get_user_model().objects.select_for_update().filter(pk=reporter.pk).first()
        if Report.objects.filter(
            reporter=reporter, content_type=content_type, object_id=target.pk, status=Report.Status.OPEN
        ).exists():
            raise ModerationError(_("You have already reported this; staff will look at it."))
        recent = Report.objects.filter(reporter=reporter, created_at__gt=now - timedelta(hours=1)).count()
        if recent >= REPORTS_PER_HOUR:
            raise ModerationError(
                _("You have sent a lot of reports in the last hour. Please try again later.")
            )
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    reporter=reporter,
                    kind=selectors.kind_of(target),
                    content_type=content_type,
                    object_id=target.pk,
                    target_repr=describe_target(target),
                    reason=reason,
                    note=note.strip(),
                )
        except IntegrityError:
            raise ModerationError(_("You have already reported this; staff will look at it.")) from None
    return report


def report_decide(*, report: Report, by: User, uphold: bool, note: str = "") -> Report:
    """Staff uphold or dismiss a report. Upholding hides a review or a message and takes an
    offering down; an upheld profile report is a record for staff, who suspend the mentor if it
    comes to that. The other open reports of the same object are decided with it."""
    note = note.strip()
    if not note:
        raise ModerationError(_("Give a reason for the decision."))
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if not report.is_open:
            raise ModerationError(
                _("Report #%(number)s is already %(status)s.")
                % {"number": report.pk, "status": report.get_status_display().lower()}
            )
        status = Report.Status.UPHELD if uphold else Report.Status.DISMISSED
        same_target = Report.objects.select_for_update().filter(
            content_type_id=report.content_type_id, object_id=report.object_id, status=Report.Status.OPEN
        )
        ids = list(same_target.values_list("pk", flat=True))
        Report.objects.filter(pk__in=ids).update(
            status=status, decided_by=by, decided_at=timezone.now(), decision_note=note
        )
        target = report.target
        action = "report.uphold" if uphold else "report.dismiss"
        audit(
            actor=by,
            action=action,
            target=target if target is not None else report,
            reason=f"{note} (report{'s' if len(ids) > 1 else ''} #{', #'.join(map(str, sorted(ids)))})",
        )
        if uphold:
            _remove_reported(target, by=by, reason=note)
        report.refresh_from_db()
    return report


def _remove_reported(target: Model | None, *, by: User, reason: str) -> None:
    if isinstance(target, Review) and not target.is_hidden:
        review_hide(review=target, by=by, reason=reason)
    elif isinstance(target, Message) and target.hidden_at is None:
        message_hide(message=target, by=by, reason=reason)
    elif isinstance(target, Offering) and target.is_published:
        offering_take_down(offering=target, by=by, reason=reason)


def message_hide(*, message: Message, by: User, reason: str) -> Message:
    """A Q&A message stops being shown (and e-mailed); its text stays for staff in the admin."""
    reason = _required(reason)
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        if message.hidden_at is None:
            message.hidden_at = timezone.now()
            message.save(update_fields=["hidden_at"])
        audit(actor=by, action="message.hide", target=message, reason=reason)
    return message


def offering_take_down(*, offering: Offering, by: User, reason: str) -> Offering:
    """Staff unpublish an offering: it leaves the directory and cannot be booked; sessions already
    booked still happen. The mentor may publish it again after fixing it."""
    reason = _required(reason)
    with transaction.atomic():
        offering = Offering.objects.select_for_update().get(pk=offering.pk)
        if offering.is_published:
            offering.is_published = False
            offering._change_reason = f"taken down by staff: {reason}"
            offering.save(update_fields=["is_published"])
            mentor_refresh_min_price(mentor_id=offering.mentor_id)
            mentor_refresh_free_slots_later(mentor_id=offering.mentor_id)
            tasks.send_offering_taken_down.delay_on_commit(offering.pk, reason)
        audit(actor=by, action="offering.take_down", target=offering, reason=reason)
    return offering


def _required(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ModerationError(_("Give a reason; it is kept in the audit log."))
    return reason


def review_hide(*, review: Review, by: User, reason: str) -> Review:
    return _review_set_hidden(review=review, by=by, reason=reason, hidden=True)


def review_restore(*, review: Review, by: User, reason: str) -> Review:
    return _review_set_hidden(review=review, by=by, reason=reason, hidden=False)


def _review_set_hidden(*, review: Review, by: User, reason: str, hidden: bool) -> Review:
    reason = _required(reason)
    with transaction.atomic():
        review = review_set_hidden(review=review, hidden=hidden)
        audit(actor=by, action="review.hide" if hidden else "review.restore", target=review, reason=reason)
    return review


# --- the moderators group --------------------------------------------------------------------

MODERATORS_GROUP = "Moderators"
# What a moderator may do in the admin, per app label: see everything they moderate, decide
# applications, reports, reviews and no-shows, suspend and reinstate mentors (refunds by policy),
# take offerings down and refund up to
# settings.MODERATOR_REFUND_LIMIT (PaymentAdmin.has_refund_permission). Prices, cohorts, plans,
# subscriptions, money rows and accounts stay read-only for them; superusers can do it all.
MODERATOR_PERMISSIONS = {
    "accounts": ["view_user"],
    "mentors": [
        "view_mentorprofile",
        "change_mentorprofile",
        "view_skill",
        "view_language",
        "view_suspension",
    ],
    "mentoring": [
        "view_offering",
        "change_offering",
        "view_booking",
        "view_bookingevent",
        "view_actionitem",
        "view_review",
        "change_review",
    ],
    "moderation": [
        "view_report",
        "change_report",
        "view_auditentry",
        "view_noshowdispute",
        "change_noshowdispute",  # deciding one refunds or pays by the no-show policy
        "view_strike",
    ],
    "qa": ["view_thread", "view_message"],
    "billing": ["view_payment", "view_refund", "view_transfer", "view_webhookevent", "view_upgradeoffer"],
    "subscriptions": ["view_plan", "view_subscription"],
    "cohorts": ["view_cohort", "view_enrollment", "view_cohortevent", "view_cohortmessage"],
    "notifications": ["view_notification"],
}


def moderators_group_sync() -> Group:
    """Make the "Moderators" group hold exactly MODERATOR_PERMISSIONS (run after every migrate,
    so a permission added or removed here reaches every installation)."""
    wanted = Q()
    for app_label, codenames in MODERATOR_PERMISSIONS.items():
        wanted |= Q(content_type__app_label=app_label, codename__in=codenames)
    with transaction.atomic():
        group, _created = Group.objects.get_or_create(name=MODERATORS_GROUP)
        group.permissions.set(Permission.objects.filter(wanted))
    return group


# --- no-shows: contests, staff decisions, strikes ---------------------------------------------


def noshow_contest(*, booking: Booking, by: User, note: str, now: datetime | None = None) -> NoShowDispute:
    """The person reported absent says they were there, once, within 48 h of the report; the
    money stays where the report put it until staff decide."""
    now = now or timezone.now()
    note = note.strip()
    if not note:
        raise ModerationError(_("Say briefly what happened, for example that you were there and waited."))
    if len(note) > MAX_NOTE_LENGTH:
        raise ModerationError(
            _("The note is too long (%(max)d characters at most).") % {"max": MAX_NOTE_LENGTH}
        )
    with transaction.atomic():
        booking = Booking.objects.select_for_update(of=("self",)).select_related("mentor").get(pk=booking.pk)
        contested = NoShowDispute.objects.filter(booking=booking).exists()
        verdict = may_contest_no_show(booking, by=by, now=now, contested=contested)
        if not verdict.allowed:
            raise ModerationError(verdict.reason)
        dispute = NoShowDispute.objects.create(
            booking=booking, reported_state=booking.state, contested_by=by, note=note
        )
        BookingEvent.objects.create(
            booking=booking,
            actor=by,
            from_state=booking.state,
            to_state=booking.state,
            note="no-show report contested; our team will decide",
        )
        tasks.send_noshow_contested.delay_on_commit(dispute.pk)
    return dispute


def noshow_decide(
    *, booking: Booking, by: User, outcome: str, reason: str, now: datetime | None = None
) -> Booking:
    """Staff decide what happened at a session flagged for review (still confirmed, no money
    moved) or whose no-show report was contested (money already moved); see
    sessions.services.booking_settle_no_show for the money. A mentor no-show upholds a strike;
    overturning one voids it, and the mentee's refund stands (recorded as the money note)."""
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise ModerationError(_("Give a reason for the decision."))
    if outcome not in OUTCOME_STATES:
        raise ModerationError(_("Choose what happened at the session."))
    to = OUTCOME_STATES[outcome]
    with transaction.atomic():
        booking = Booking.objects.select_for_update(of=("self",)).get(pk=booking.pk)
        dispute = NoShowDispute.objects.select_for_update().filter(booking=booking).first()
        was = booking.state
        if was == State.CONFIRMED and booking.review_flagged_at is None:
            raise ModerationError(
                _("Booking %(number)s was not flagged for review.") % {"number": booking.pk}
            )
        if was in (State.NO_SHOW_MENTEE, State.NO_SHOW_MENTOR) and (dispute is None or not dispute.is_open):
            raise ModerationError(
                (
                    _("The no-show of booking %(number)s was decided already.")
                    if dispute
                    else _("The no-show of booking %(number)s was not contested.")
                )
                % {"number": booking.pk}
            )
        label = Outcome(outcome).label
        try:
            booking = booking_settle_no_show(
                booking=booking, to=to, by=by, note=f"decided by staff: {label.lower()} ({reason})", now=now
            )
        except BookingError as error:
            raise ModerationError(error.message) from error
        money_note = ""
        if was == State.NO_SHOW_MENTOR and to != State.NO_SHOW_MENTOR:
            Strike.objects.filter(booking=booking).update(status=Strike.Status.VOIDED, decided_at=now)
            if booking.price_amount:
                share = booking.price_amount - platform_fee(booking.price_amount)
                money_note = (
                    "The mentee's refund stands; the mentor's share "
                    f"({format_money(share, booking.currency)}) was not paid, since the charge it "
                    "would be paid from was refunded. Pay it by hand if owed."
                )
        if dispute is not None:
            dispute.status = NoShowDispute.Status.DECIDED
            dispute.decision = outcome
            dispute.decided_by = by
            dispute.decided_at = now
            dispute.decision_note = reason
            dispute.money_note = money_note
            dispute.save()
        audit(
            actor=by,
            action=f"noshow.{outcome}",
            target=booking,
            reason=f"{label}: {reason}" + (f" — {money_note}" if money_note else ""),
        )
        if to == State.NO_SHOW_MENTOR:
            strike_record(booking=booking, upheld=True, now=now)
        tasks.send_noshow_decision.delay_on_commit(str(booking.pk), outcome, reason, was)
    return booking


def strike_record(*, booking: Booking, upheld: bool, now: datetime | None = None) -> Strike:
    """A mentor no-show stands: pending while the mentor may contest the mentee's report, upheld
    at once when staff decide it. Inside the caller's transaction."""
    now = now or timezone.now()
    strike, _created = Strike.objects.select_for_update().get_or_create(
        booking=booking, defaults={"mentor_id": booking.mentor_id}
    )
    if upheld and strike.status != Strike.Status.UPHELD:
        strike.status = Strike.Status.UPHELD
        strike.decided_at = now
        strike.save(update_fields=["status", "decided_at"])
        _suspend_after_strikes(mentor_id=booking.mentor_id, now=now)
    return strike


def strike_pending(*, booking: Booking) -> Strike:
    """sessions.hooks.mentor_reported_absent: the mentee says the mentor did not come; the strike
    waits while the mentor may contest it."""
    return strike_record(booking=booking, upheld=False)


def strikes_uphold_due(*, now: datetime | None = None) -> int:
    """Beat: pending strikes whose contest window passed without an open dispute are upheld; a
    mentor reaching three suspends. Claims rows with skip_locked, so safe to run twice at once."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Strike.objects.select_for_update(skip_locked=True)
            .filter(status=Strike.Status.PENDING, created_at__lte=now - CONTEST_WINDOW)
            .exclude(
                booking_id__in=NoShowDispute.objects.filter(status=NoShowDispute.Status.OPEN).values(
                    "booking_id"
                )
            )
            .order_by("created_at")[:500]
        )
        for strike in due:
            strike.status = Strike.Status.UPHELD
            strike.decided_at = now
            strike.save(update_fields=["status", "decided_at"])
        for mentor_id in sorted({strike.mentor_id for strike in due}):
            _suspend_after_strikes(mentor_id=mentor_id, now=now)
    return len(due)


def _suspend_after_strikes(*, mentor_id: int, now: datetime) -> bool:
    """Three upheld no-shows of sessions in the last 90 days suspend the mentor pending review,
    once: not again while they are suspended."""

    mentor = MentorProfile.objects.get(pk=mentor_id)
    upheld = list(selectors.upheld_strikes(mentor_id=mentor_id, now=now))
    if len(upheld) < STRIKES_TO_SUSPEND or mentor.status != MentorProfile.Status.APPROVED:
        return False
    sessions = ", ".join(f"{strike.booking.starts_at:%Y-%m-%d %H:%M} UTC" for strike in upheld)
    try:
        mentor_suspend(
            mentor=mentor,
            by=None,
            reason=f"Three upheld no-shows in 90 days: sessions on {sessions}.",
            automatic=True,
        )
    except MentorError:  # suspended meanwhile by another transaction
        return False
    return True
