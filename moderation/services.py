"""Every moderation write: users report things, staff decide reports and hide or restore
reviews; each staff action leaves an AuditEntry."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.utils import timezone

from mentors.services import mentor_refresh_free_slots_later, mentor_refresh_min_price
from qa.models import Message
from sessions.models import Offering, Review
from sessions.services import review_set_hidden

from . import selectors
from .models import AuditEntry, Report

REPORTS_PER_HOUR = 10


class ModerationError(Exception):
    """A report or a decision that cannot be made; the message is shown to the person."""


def audit(*, actor, action: str, target: Model | None, reason: str = "") -> AuditEntry:
    """Write one audit row (inside the caller's transaction, so it exists only if the action does)."""
    entry = AuditEntry(
        actor=actor if actor and actor.is_authenticated else None, action=action, reason=reason
    )
    if target is not None:
        entry.target_content_type = ContentType.objects.get_for_model(target)
        entry.target_id = str(target.pk)
        entry.target_repr = _repr(target)
    entry.save()
    return entry


def _repr(target: Model) -> str:
    try:
        return selectors.describe(target)
    except KeyError:
        return str(target)[:200]


def report_create(*, reporter, target: Model, reason: str, note: str = "", now=None) -> Report:
    """A user reports something they can see; one open report per person and object."""
    now = now or timezone.now()
    if reason not in Report.Reason.values:
        raise ModerationError("Choose a reason for the report.")
    if len(note) > Report._meta.get_field("note").max_length:
        raise ModerationError("The note is too long (1000 characters at most).")
    if selectors.author_id_of(target) == reporter.pk:
        raise ModerationError("You cannot report your own content.")
    content_type = ContentType.objects.get_for_model(target)
    with transaction.atomic():
        # Serialise one person's reports so the hourly count cannot be raced past.
        get_user_model().objects.select_for_update().filter(pk=reporter.pk).first()
        if Report.objects.filter(
            reporter=reporter, content_type=content_type, object_id=target.pk, status=Report.Status.OPEN
        ).exists():
            raise ModerationError("You have already reported this; staff will look at it.")
        recent = Report.objects.filter(reporter=reporter, created_at__gt=now - timedelta(hours=1)).count()
        if recent >= REPORTS_PER_HOUR:
            raise ModerationError("You have sent a lot of reports in the last hour. Please try again later.")
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    reporter=reporter,
                    kind=selectors.kind_of(target),
                    content_type=content_type,
                    object_id=target.pk,
                    target_repr=_repr(target),
                    reason=reason,
                    note=note.strip(),
                )
        except IntegrityError:
            raise ModerationError("You have already reported this; staff will look at it.") from None
    return report


def report_decide(*, report: Report, by, uphold: bool, note: str = "") -> Report:
    """Staff uphold or dismiss a report. Upholding hides a review or a message and takes an
    offering down; an upheld profile report is a record for staff, who suspend the mentor if it
    comes to that. The other open reports of the same object are decided with it."""
    note = note.strip()
    if not note:
        raise ModerationError("Give a reason for the decision.")
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if not report.is_open:
            raise ModerationError(f"Report #{report.pk} is already {report.get_status_display().lower()}.")
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


def _remove_reported(target: Model | None, *, by, reason: str) -> None:
    if isinstance(target, Review) and not target.is_hidden:
        review_hide(review=target, by=by, reason=reason)
    elif isinstance(target, Message) and target.hidden_at is None:
        message_hide(message=target, by=by, reason=reason)
    elif isinstance(target, Offering) and target.is_published:
        offering_take_down(offering=target, by=by, reason=reason)


def message_hide(*, message: Message, by, reason: str) -> Message:
    """A Q&A message stops being shown (and e-mailed); its text stays for staff in the admin."""
    reason = _required(reason)
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        if message.hidden_at is None:
            message.hidden_at = timezone.now()
            message.save(update_fields=["hidden_at"])
        audit(actor=by, action="message.hide", target=message, reason=reason)
    return message


def offering_take_down(*, offering: Offering, by, reason: str) -> Offering:
    """Staff unpublish an offering: it leaves the directory and cannot be booked; sessions already
    booked still happen. The mentor may publish it again after fixing it."""
    reason = _required(reason)
    with transaction.atomic():
        offering = Offering.objects.select_for_update().get(pk=offering.pk)
        if offering.is_published:
            offering.is_published = False
            offering.save(update_fields=["is_published"])
            mentor_refresh_min_price(mentor_id=offering.mentor_id)
            mentor_refresh_free_slots_later(mentor_id=offering.mentor_id)
            from .tasks import send_offering_taken_down

            send_offering_taken_down.delay_on_commit(offering.pk, reason)
        audit(actor=by, action="offering.take_down", target=offering, reason=reason)
    return offering


def _required(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ModerationError("Give a reason; it is kept in the audit log.")
    return reason


def review_hide(*, review: Review, by, reason: str) -> Review:
    return _review_set_hidden(review=review, by=by, reason=reason, hidden=True)


def review_restore(*, review: Review, by, reason: str) -> Review:
    return _review_set_hidden(review=review, by=by, reason=reason, hidden=False)


def _review_set_hidden(*, review: Review, by, reason: str, hidden: bool) -> Review:
    reason = _required(reason)
    with transaction.atomic():
        review = review_set_hidden(review=review, hidden=hidden)
        audit(actor=by, action="review.hide" if hidden else "review.restore", target=review, reason=reason)
    return review


# --- the moderators group --------------------------------------------------------------------

MODERATORS_GROUP = "Moderators"
# What a moderator may do in the admin, per app label: see everything they moderate, decide
# applications, reports and reviews, take offerings down and refund up to
# settings.MODERATOR_REFUND_LIMIT (PaymentAdmin.has_refund_permission). Prices, cohorts, plans,
# subscriptions, money rows and accounts stay read-only for them; superusers can do it all.
MODERATOR_PERMISSIONS = {
    "accounts": ["view_user"],
    "mentors": ["view_mentorprofile", "change_mentorprofile", "view_skill", "view_language"],
    "mentoring": [
        "view_offering",
        "change_offering",
        "view_booking",
        "view_bookingevent",
        "view_actionitem",
        "view_review",
        "change_review",
    ],
    "moderation": ["view_report", "change_report", "view_auditentry"],
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
        group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
        group.permissions.set(Permission.objects.filter(wanted))
    return group
