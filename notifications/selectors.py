from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sessions.models import ActionItem, Booking

from .models import Notification
from .tokens import CheckinLinkError, checkin_token_read


def booking_notifications(*, booking: Booking) -> QuerySet[Notification]:
    """The booking's reminders for its page: one query, no joins."""
    return Notification.objects.filter(booking_id=booking.pk).only(
        "kind", "due_at", "state", "sent_at", "booking_id"
    )


Kind = Notification.Kind

# What each of the two people is told will come, in plain words; the staff alert is staff's.
NEXT_FOR_MENTEE = {
    Kind.PREWORK_REMINDER_48H: _("We e-mail you a pre-work reminder, if it is not done by then"),
    Kind.PREWORK_REMINDER_24H: _("We e-mail you a last pre-work reminder, if it is not done by then"),
    Kind.STARTING_SOON_MENTEE: _("We e-mail you a reminder with the join link"),
    Kind.ACTION_ITEM_CHECKIN: _("We e-mail you a check-in: is your action item done?"),
}
PREWORK_REMINDERS = (Kind.PREWORK_REMINDER_48H, Kind.PREWORK_REMINDER_24H)
NEXT_FOR_MENTOR = {
    Kind.MENTOR_PREP_DIGEST: _("We e-mail you your prep digest, with the mentee's outcome and pre-work"),
    Kind.STARTING_SOON_MENTOR: _("We e-mail you a reminder with the join link"),
    Kind.CLOSEOUT_NUDGE_2H: _("We e-mail you a nudge to close the session with its action item"),
    Kind.CLOSEOUT_NUDGE_24H: _("We e-mail you a last nudge to close the session"),
}


@dataclass(frozen=True)
class NextStep:
    due_at: datetime
    text: str


def booking_page_context(*, booking: Booking, viewer, now, forms) -> dict:
    """What the booking's page says will come by e-mail, to its mentee or its mentor (their own
    reminders still to be sent; sessions.hooks)."""
    if viewer.pk == booking.mentee_id:
        wording = NEXT_FOR_MENTEE
    elif viewer.pk == booking.mentor.user_id:
        wording = NEXT_FOR_MENTOR
    else:
        return {"reminders": []}
    # A pre-work reminder goes only if the pre-work is still incomplete then: none is promised
    # while it is complete.
    skipped = PREWORK_REMINDERS if booking.prework_complete else ()
    steps = [
        NextStep(due_at=reminder.due_at, text=wording[reminder.kind])
        for reminder in booking_notifications(booking=booking)
        if reminder.kind in wording
        and reminder.kind not in skipped
        and reminder.state == Notification.State.PENDING
    ]
    return {"reminders": sorted(steps, key=lambda step: step.due_at)}


def checkin_action_item(*, token: str) -> ActionItem:
    """The one action item a check-in link answers for, still its mentee's; else CheckinLinkError."""
    claim = checkin_token_read(token)
    item = (
        ActionItem.objects.select_related("booking__offering", "booking__mentor__user", "booking__mentee")
        .filter(pk=claim.action_item_id, booking__mentee_id=claim.user_id)
        .first()
    )
    if item is None:
        raise CheckinLinkError(_("This link does not lead to an action item of yours."), status=404)
    return item
