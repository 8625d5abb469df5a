"""The e-mail each reminder becomes: plain text and HTML, times in the recipient's own zone."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from billing.selectors import upgrade_offer_cards
from core.emails import language_of, templated_email
from sessions.ics import booking_calendar
from sessions.models import ActionItem, Booking

from .models import Notification
from .tokens import CHECKIN_LINK_MAX_AGE, checkin_token_make

Kind = Notification.Kind
UTC = zoneinfo.ZoneInfo("UTC")


@dataclass(frozen=True)
class Recipient:
    name: str
    emails: list[str]
    zone: zoneinfo.ZoneInfo
    role: str
    language: str = settings.LANGUAGE_CODE

    @classmethod
    def of(cls, user: User, role: str) -> Recipient:
        return cls(name=user.name, emails=[user.email], zone=user.zone, role=role, language=language_of(user))


# kind → (template, who receives it, attach the session's .ics)
MESSAGES: dict[str, tuple[str, str, bool]] = {
    Kind.PREWORK_REMINDER_48H: ("prework_reminder", "mentee", True),
    Kind.PREWORK_REMINDER_24H: ("prework_reminder", "mentee", True),
    Kind.MENTOR_PREP_DIGEST: ("mentor_prep_digest", "mentor", True),
    Kind.STARTING_SOON_MENTEE: ("starting_soon", "mentee", True),
    Kind.STARTING_SOON_MENTOR: ("starting_soon", "mentor", True),
    Kind.CLOSEOUT_NUDGE_2H: ("closeout_nudge", "mentor", False),
    Kind.CLOSEOUT_NUDGE_24H: ("closeout_nudge", "mentor", False),
    Kind.CLOSEOUT_STAFF_48H: ("closeout_staff", "staff", False),
    Kind.ACTION_ITEM_CHECKIN: ("action_item_checkin", "mentee", False),
    Kind.LADDER_UP_OFFER: ("ladder_up_offer", "mentee", False),
}

# kind → the User flag that turns it off in /settings/. Kinds not listed are essential and always go.
TURNED_OFF_BY: dict[str, str] = {
    Kind.PREWORK_REMINDER_48H: "email_prework_reminders",
    Kind.PREWORK_REMINDER_24H: "email_prework_reminders",
    Kind.MENTOR_PREP_DIGEST: "email_mentor_prep_digest",
    Kind.STARTING_SOON_MENTEE: "email_starting_soon",
    Kind.STARTING_SOON_MENTOR: "email_starting_soon",
    Kind.CLOSEOUT_NUDGE_2H: "email_closeout_nudges",
    Kind.CLOSEOUT_NUDGE_24H: "email_closeout_nudges",
    Kind.ACTION_ITEM_CHECKIN: "email_action_item_checkins",
    Kind.COHORT_EVENT_24H: "email_cohort_reminders",
    Kind.COHORT_EVENT_1H: "email_cohort_reminders",
    Kind.ASSIGNMENT_DUE_24H: "email_cohort_reminders",
    Kind.PEER_REVIEWS_WAITING: "email_cohort_reminders",
    Kind.LADDER_UP_OFFER: "email_ladder_up_offers",
}


def _subject(kind: str, booking: Booking) -> str:
    """The subject, in the active language (the recipient's: called inside their language)."""
    names = {
        "title": booking.offering.title,
        "mentee": booking.mentee.name,
        "mentor": booking.mentor.user.name,
    }
    subjects = {
        Kind.PREWORK_REMINDER_48H: _("Finish your pre-work for “%(title)s”"),
        Kind.PREWORK_REMINDER_24H: _("Tomorrow: finish your pre-work for “%(title)s”"),
        Kind.MENTOR_PREP_DIGEST: _("Prep for your session with %(mentee)s: “%(title)s”"),
        Kind.STARTING_SOON_MENTEE: _("Starting in 15 minutes: “%(title)s”"),
        Kind.STARTING_SOON_MENTOR: _("Starting in 15 minutes: “%(title)s” with %(mentee)s"),
        Kind.CLOSEOUT_NUDGE_2H: _("Close out your session with %(mentee)s"),
        Kind.CLOSEOUT_NUDGE_24H: _("Reminder: close out your session with %(mentee)s"),
        Kind.CLOSEOUT_STAFF_48H: _("[staff] Not closed after 48 h: “%(title)s”"),
        Kind.ACTION_ITEM_CHECKIN: _("Did you do it? Your action item from “%(title)s”"),
        Kind.LADDER_UP_OFFER: _("Keep going with %(mentor)s: an upgrade credit for you"),
    }
    return subjects[kind] % names


def staff_recipient() -> Recipient | None:
    """settings.ADMINS when set, otherwise every active staff account; times in UTC for a team."""
    emails = [email for _, email in settings.ADMINS] or list(
        User.objects.filter(is_staff=True, is_active=True).order_by("pk").values_list("email", flat=True)
    )
    return Recipient(name="team", emails=emails, zone=UTC, role="staff") if emails else None


def _recipient_user(role: str, booking: Booking) -> User | None:
    if role == "mentee":
        return booking.mentee
    if role == "mentor":
        return booking.mentor.user
    return None


def turned_off_by_recipient(notification: Notification) -> bool:
    """The person this e-mail is for has turned its kind off in their settings."""
    flag = TURNED_OFF_BY.get(notification.kind)
    if not flag:
        return False
    if notification.enrollment_id:
        user = notification.enrollment.member
    else:
        user = _recipient_user(MESSAGES[notification.kind][1], notification.booking)
    return user is not None and not getattr(user, flag)


def checkin_links(booking: Booking) -> dict[str, str]:
    """The one-click answers in a check-in; each opens a page that asks before it changes anything."""
    token = checkin_token_make(action_item_id=booking.action_item.pk, user_id=booking.mentee_id)
    return {
        "done_url": settings.SITE_URL + reverse("notifications:checkin_done", args=[token]),
        "not_yet_url": settings.SITE_URL + reverse("notifications:checkin_not_yet", args=[token]),
        "link_days": CHECKIN_LINK_MAX_AGE.days,
    }


def _recipient(role: str, booking: Booking) -> Recipient | None:
    user = _recipient_user(role, booking)
    return Recipient.of(user, role) if user is not None else staff_recipient()


def past_action_items(booking: Booking, *, cache: BatchCache | None = None) -> list[ActionItem]:
    """What this mentee took away from earlier sessions with the same mentor, newest first."""
    if cache is not None and booking.pk in cache.digest_bookings:
        items = cache.past_items.get((booking.mentor_id, booking.mentee_id), [])
        return [item for item in items if item.booking_id != booking.pk]
    return list(
        ActionItem.objects.filter(booking__mentor_id=booking.mentor_id, booking__mentee_id=booking.mentee_id)
        .exclude(booking_id=booking.pk)
        .select_related("booking__offering")
        .order_by("-booking__starts_at")
    )


@dataclass
class BatchCache:
    """What the e-mails of one batch of reminders share, built once for the batch: each booking's
    .ics (the mentee's and the mentor's "starting soon" and the digest attach the same one) and the
    past action items of every mentor's prep digest (one query instead of one per digest)."""

    digest_bookings: set = field(default_factory=set)
    past_items: dict[tuple[int, int], list[ActionItem]] = field(default_factory=dict)
    calendars: dict = field(default_factory=dict)

    @classmethod
    def for_rows(cls, rows: list[Notification]) -> BatchCache:
        cache = cls()
        digests = [row.booking for row in rows if row.kind == Kind.MENTOR_PREP_DIGEST and row.booking_id]
        if not digests:
            return cache
        cache.digest_bookings = {booking.pk for booking in digests}
        pairs = {(booking.mentor_id, booking.mentee_id) for booking in digests}
        among = Q()
        for mentor_id, mentee_id in pairs:
            among |= Q(booking__mentor_id=mentor_id, booking__mentee_id=mentee_id)
        items = (
            ActionItem.objects.filter(among)
            .select_related("booking__offering")
            .order_by("-booking__starts_at")
        )
        for item in items:
            cache.past_items.setdefault((item.booking.mentor_id, item.booking.mentee_id), []).append(item)
        return cache

    def calendar(self, booking: Booking) -> bytes:
        """The booking's .ics in the active language (the recipient's), built once per language."""
        key = (booking.pk, translation.get_language())
        if key not in self.calendars:
            self.calendars[key] = booking_calendar(booking)
        return self.calendars[key]


def ladder_up_context(booking: Booking) -> dict:
    """The upgrade offer of a rated session, with absolute links to where the credit is spent."""
    offer = booking.upgrade_offer
    cards = upgrade_offer_cards([offer])
    targets = cards[0].targets if cards else []
    for target in targets:
        target.url = settings.SITE_URL + target.url
    return {
        "offer": offer,
        "targets": targets,
        "mentor_url": settings.SITE_URL + booking.mentor.get_absolute_url(),
        "dashboard_url": settings.SITE_URL + reverse("dashboard:home"),
    }


def _site_url(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _member_subject(notification: Notification) -> str:
    cohort = notification.enrollment.cohort
    if notification.kind == Kind.SEAT_OFFERED:
        return _("A seat is yours to claim in “%(cohort)s” (24 hours)") % {"cohort": cohort.title}
    if notification.kind == Kind.ASSIGNMENT_DUE_24H:
        return _("Due in 24 hours: %(module)s (%(cohort)s)") % {
            "module": notification.module.title,
            "cohort": cohort.title,
        }
    if notification.kind == Kind.PEER_REVIEWS_WAITING:
        return _("Peer reviews are waiting for you in “%(cohort)s”") % {"cohort": cohort.title}
    names = {"event": notification.cohort_event.display_title, "cohort": cohort.title}
    if notification.kind == Kind.COHORT_EVENT_24H:
        return _("Tomorrow: %(event)s (%(cohort)s)") % names
    return _("In 1 hour: %(event)s (%(cohort)s)") % names


def member_reminder(notification: Notification) -> EmailMultiAlternatives:
    """A cohort member's reminder (an event, an assignment due, peer reviews, a seat offered)."""
    enrollment = notification.enrollment
    cohort = enrollment.cohort
    member = enrollment.member
    context = {
        "notification": notification,
        "kind": notification.kind,
        "cohort": cohort,
        "member": member,
        "event": notification.cohort_event,
        "module": notification.module,
        "zone": member.timezone,
        "cohort_url": _site_url("cohorts:detail", cohort.slug),
        "space_url": _site_url("cohorts:space", cohort.slug),
        "claim_url": _site_url("cohorts:detail", cohort.slug) + "#claim",
        "settings_url": _site_url("accounts:settings"),
        "offer_expires_at": enrollment.offer_expires_at,
    }
    return templated_email(
        template="cohorts/email/reminder",
        subject=lambda: _member_subject(notification),
        to=[member.email],
        context=context,
        zone=member.zone,
        language=language_of(member),
    )


def build_message(
    notification: Notification, *, cache: BatchCache | None = None
) -> EmailMultiAlternatives | None:
    """The e-mail for this row, or None when nobody can receive it (no staff configured). `cache`:
    what a batch shares (notifications_send_batch)."""
    if notification.enrollment_id:
        return member_reminder(notification)
    booking = notification.booking
    template, role, attach_ics = MESSAGES[notification.kind]
    recipient = _recipient(role, booking)
    if recipient is None:
        return None
    page = settings.SITE_URL + booking.get_absolute_url()
    context = {
        "notification": notification,
        "booking": booking,
        "recipient": recipient,
        "role": recipient.role,
        "zone": recipient.zone.key,
        "site_url": settings.SITE_URL,
        "booking_url": page,
        "prework_url": page + "#prework",
        "close_url": page + "#close",
        "admin_url": settings.SITE_URL + reverse("admin:mentoring_booking_change", args=[booking.pk]),
        "settings_url": settings.SITE_URL + reverse("accounts:settings"),
        "can_turn_off": notification.kind in TURNED_OFF_BY,
    }
    if notification.kind == Kind.MENTOR_PREP_DIGEST:
        context["past_action_items"] = past_action_items(booking, cache=cache)
    if notification.kind == Kind.ACTION_ITEM_CHECKIN:
        context["action_item"] = booking.action_item
        context.update(checkin_links(booking))
    if notification.kind == Kind.LADDER_UP_OFFER:
        context.update(ladder_up_context(booking))
    message = templated_email(
        template=f"notifications/email/{template}",
        subject=lambda: _subject(notification.kind, booking),
        to=recipient.emails,
        context=context,
        zone=recipient.zone,
        language=recipient.language,
    )
    if attach_ics:
        with translation.override(recipient.language):
            calendar = cache.calendar(booking) if cache is not None else booking_calendar(booking)
        message.attach("session.ics", calendar, "text/calendar; method=PUBLISH")
    return message


def send_review_flags(*, booking_ids) -> None:
    """One e-mail to staff listing the sessions just flagged for review (times in UTC)."""
    staff = staff_recipient()
    bookings = list(
        Booking.objects.select_related("offering", "mentor__user", "mentee")
        .filter(pk__in=booking_ids)
        .order_by("ends_at")
    )
    if staff is None or not bookings:
        return
    templated_email(
        template="notifications/email/review_flags",
        subject=lambda: (
            ngettext(
                "[staff] %(count)d session not closed or reported after 24 h",
                "[staff] %(count)d sessions not closed or reported after 24 h",
                len(bookings),
            )
            % {"count": len(bookings)}
        ),
        to=staff.emails,
        context={"bookings": bookings, "site_url": settings.SITE_URL},
        zone=UTC,
    ).send()
