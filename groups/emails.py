"""The group session's e-mails, each sent from a task queued through the outbox: the seat's
confirmation (with the .ics and the join link), its reminder, and the news of a cancellation.
The confirmation and reminder are marked under the seat's lock so each goes once."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.emails import templated_email

from .ics import group_session_calendar
from .models import GroupSeat, GroupSession


def _context(seat: GroupSeat) -> dict:
    group_session = seat.group_session
    return {
        "seat": seat,
        "group_session": group_session,
        "mentee": seat.mentee,
        "mentor": group_session.mentor.user,
        "page_url": settings.SITE_URL + group_session.get_absolute_url(),
    }


def _seat(seat_id: str) -> GroupSeat | None:
    return (
        GroupSeat.objects.select_related("group_session__mentor__user", "mentee").filter(pk=seat_id).first()
    )


def seat_confirmation_send(*, seat_id: str) -> None:
    """Once per seat (marked under its lock before sending): the join link and the .ics."""
    with transaction.atomic():
        seat = (
            GroupSeat.objects.select_for_update(of=("self",))
            .select_related("group_session__mentor__user", "mentee")
            .filter(pk=seat_id, state=GroupSeat.State.CONFIRMED, confirmation_sent_at__isnull=True)
            .first()
        )
        if seat is None:
            return
        GroupSeat.objects.filter(pk=seat.pk).update(confirmation_sent_at=timezone.now())
        transaction.on_commit(lambda: _send_confirmation(seat))


def _send_confirmation(seat: GroupSeat) -> None:
    group_session = seat.group_session
    message = templated_email(
        template="groups/email/confirmation",
        subject=lambda: _("Your seat: %(title)s") % {"title": group_session.title},
        to=[seat.mentee.email],
        context=_context(seat),
        zone=seat.mentee.zone,
    )
    message.attach("group-session.ics", group_session_calendar(group_session), "text/calendar")
    message.send()


def seat_reminder_send(*, seat_id: str) -> None:
    seat = _seat(seat_id)
    if seat is None or seat.state != GroupSeat.State.CONFIRMED:
        return
    if seat.group_session.state != GroupSession.State.PUBLISHED:
        return
    templated_email(
        template="groups/email/reminder",
        subject=lambda: _("Soon: %(title)s") % {"title": seat.group_session.title},
        to=[seat.mentee.email],
        context=_context(seat),
        zone=seat.mentee.zone,
    ).send()


def _claim(model, pk) -> bool:
    """Mark the cancellation notice sent, once (a redelivered task finds it marked)."""
    return bool(
        model.objects.filter(pk=pk, cancel_notice_sent_at__isnull=True).update(
            cancel_notice_sent_at=timezone.now()
        )
    )


def seat_cancelled_send(*, seat_id: str) -> None:
    """The session was cancelled: the attendee is told once (billing's own e-mail confirms a refund)."""
    seat = _seat(seat_id)
    if seat is None or not _claim(GroupSeat, seat.pk):
        return
    templated_email(
        template="groups/email/cancelled",
        subject=lambda: _("Cancelled: %(title)s") % {"title": seat.group_session.title},
        to=[seat.mentee.email],
        context=_context(seat),
        zone=seat.mentee.zone,
    ).send()


def session_cancelled_to_mentor_send(*, group_session_id: str) -> None:
    group_session = GroupSession.objects.select_related("mentor__user").filter(pk=group_session_id).first()
    if group_session is None or not _claim(GroupSession, group_session.pk):
        return
    mentor = group_session.mentor.user
    templated_email(
        template="groups/email/cancelled_mentor",
        subject=lambda: _("Cancelled: %(title)s") % {"title": group_session.title},
        to=[mentor.email],
        context={
            "group_session": group_session,
            "mentor": mentor,
            "page_url": settings.SITE_URL + group_session.get_absolute_url(),
        },
        zone=mentor.zone,
    ).send()
