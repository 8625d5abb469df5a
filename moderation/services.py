"""Every moderation write: users report things, staff decide reports and hide or restore
reviews; each staff action leaves an AuditEntry."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from sessions.models import Review
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
    """Staff uphold or dismiss a report. Upholding a review report hides the review; the other
    open reports of the same object are decided with it."""
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
        if uphold and isinstance(target, Review) and not target.is_hidden:
            review_hide(review=target, by=by, reason=note)
        report.refresh_from_db()
    return report


def review_hide(*, review: Review, by, reason: str) -> Review:
    return _review_set_hidden(review=review, by=by, reason=reason, hidden=True)


def review_restore(*, review: Review, by, reason: str) -> Review:
    return _review_set_hidden(review=review, by=by, reason=reason, hidden=False)


def _review_set_hidden(*, review: Review, by, reason: str, hidden: bool) -> Review:
    reason = reason.strip()
    if not reason:
        raise ModerationError("Give a reason for hiding or restoring a review.")
    with transaction.atomic():
        review = review_set_hidden(review=review, hidden=hidden)
        audit(actor=by, action="review.hide" if hidden else "review.restore", target=review, reason=reason)
    return review
