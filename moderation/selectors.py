"""Reads for moderation: what a viewer may report (only what they can see), who owns it, and
the queue of everything waiting for a moderator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Model, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from billing.models import Payment
from mentors.models import MentorProfile, Suspension
from mentors.selectors import approved_mentors
from qa.models import Message
from qa.selectors import thread_readable
from sessions.models import Booking, Offering, Review
from sessions.selectors import published_offerings

from .models import NoShowDispute, Report, Strike

Kind = Report.Kind


class NotReportable(Exception):
    """The object does not exist, or the viewer cannot see it (the view answers 404 either way)."""


def report_target_for_viewer(*, kind: str, object_id: int, user) -> Model:
    """The object behind a report URL, if `user` can see it where it is shown."""
    target = None
    if kind == Kind.REVIEW:
        target = (
            Review.objects.filter(is_hidden=False, booking__mentor__status=MentorProfile.Status.APPROVED)
            .select_related("booking__mentee", "booking__mentor__user", "booking__offering")
            .filter(pk=object_id)
            .first()
        )
    elif kind == Kind.MESSAGE:
        target = (
            Message.objects.select_related("author", "thread__mentor__user", "thread__subscription__plan")
            .filter(pk=object_id, hidden_at__isnull=True)
            .first()
        )
        if target is not None and not thread_readable(thread=target.thread, user=user):
            target = None
    elif kind == Kind.PROFILE:
        target = approved_mentors().filter(pk=object_id).first()
    elif kind == Kind.OFFERING:
        target = published_offerings().select_related("mentor__user").filter(pk=object_id).first()
    if target is None:
        raise NotReportable
    return target


_KINDS = {Review: Kind.REVIEW, Message: Kind.MESSAGE, MentorProfile: Kind.PROFILE, Offering: Kind.OFFERING}


def kind_of(target: Model) -> str:
    return _KINDS[type(target)]


def author_id_of(target: Model) -> int:
    """The user whose content this is (nobody may report their own)."""
    kind = kind_of(target)
    if kind == Kind.REVIEW:
        return target.booking.mentee_id
    if kind == Kind.MESSAGE:
        return target.author_id
    if kind == Kind.PROFILE:
        return target.user_id
    return target.mentor.user_id


def describe(target: Model) -> str:
    """A short text that still identifies the object once it is hidden or deleted."""
    kind = kind_of(target)
    if kind == Kind.REVIEW:
        text = _("%(rating)s★ review by %(mentee)s of %(mentor)s") % {
            "rating": target.rating,
            "mentee": target.booking.mentee.name,
            "mentor": target.booking.mentor.user.name,
        }
        if target.text:
            text += f": {target.text[:80]}"
    elif kind == Kind.MESSAGE:
        text = _("message by %(name)s: %(text)s") % {"name": target.author.name, "text": target.body[:80]}
    elif kind == Kind.PROFILE:
        text = _("profile of %(name)s (%(slug)s)") % {"name": target.user.name, "slug": target.slug}
    else:
        text = _("offering %(title)s (%(slug)s)") % {"title": target.title, "slug": target.slug}
    return text[:200]


@dataclass(frozen=True)
class QueueItem:
    text: str
    waiting_since: datetime | None
    url: str


@dataclass(frozen=True)
class QueueSection:
    """One kind of work waiting for moderators: how many, the oldest few, and the admin list
    filtered to exactly that work."""

    title: str
    count: int
    items: list[QueueItem]
    list_url: str


def _section(title: str, rows, *, count: int, changelist: str, query: str, describe_row) -> QueueSection:
    return QueueSection(
        title=title,
        count=count,
        items=[describe_row(row) for row in rows],
        list_url=f"{reverse(changelist)}?{query}",
    )


def moderation_queue(*, shown: int = 5) -> list[QueueSection]:
    """Everything waiting for a moderator, oldest first in each section (a few count queries and
    one small query per section)."""
    pending = MentorProfile.objects.filter(status=MentorProfile.Status.PENDING).select_related("user")
    sections = [
        _section(
            _("Mentor applications"),
            pending.order_by("applied_at")[:shown],
            count=pending.count(),
            changelist="admin:mentors_mentorprofile_changelist",
            query="status__exact=pending",
            describe_row=lambda m: QueueItem(
                f"{m.user.name} — {m.headline}",
                m.applied_at,
                reverse("admin:mentors_mentorprofile_change", args=[m.pk]),
            ),
        )
    ]
    open_reports = Report.objects.filter(status=Report.Status.OPEN)
    counts = dict(open_reports.values_list("kind").annotate(n=Count("pk")).order_by())
    reported = {
        Report.Kind.REVIEW: _("Reported reviews"),
        Report.Kind.MESSAGE: _("Reported messages"),
        Report.Kind.PROFILE: _("Reported mentor profiles"),
        Report.Kind.OFFERING: _("Reported offerings"),
    }
    for kind, _label in Report.Kind.choices:
        sections.append(
            _section(
                reported[kind],
                open_reports.filter(kind=kind).order_by("created_at")[:shown],
                count=counts.get(kind, 0),
                changelist="admin:moderation_report_changelist",
                query=f"status__exact=open&kind__exact={kind}",
                describe_row=lambda r: QueueItem(
                    f"{r.target_repr} · {r.get_reason_display()}",
                    r.created_at,
                    reverse("admin:moderation_report_change", args=[r.pk]),
                ),
            )
        )
    flagged = Booking.objects.filter(review_flagged_at__isnull=False, state=Booking.State.CONFIRMED)
    sections.append(
        _section(
            _("Sessions nobody closed or reported"),
            flagged.select_related("offering").order_by("review_flagged_at")[:shown],
            count=flagged.count(),
            changelist="admin:mentoring_booking_changelist",
            query="review=needed",
            describe_row=lambda b: QueueItem(
                str(b), b.review_flagged_at, reverse("admin:mentoring_booking_change", args=[b.pk])
            ),
        )
    )
    disputes = NoShowDispute.objects.filter(status=NoShowDispute.Status.OPEN)
    sections.append(
        _section(
            _("Contested no-shows"),
            disputes.select_related("booking__offering", "contested_by").order_by("created_at")[:shown],
            count=disputes.count(),
            changelist="admin:moderation_noshowdispute_changelist",
            query="status__exact=open",
            describe_row=lambda d: QueueItem(
                _("%(booking)s · contested by %(name)s")
                % {"booking": d.booking, "name": d.contested_by.name},
                d.created_at,
                reverse("admin:moderation_noshowdispute_change", args=[d.pk]),
            ),
        )
    )
    automatic = Suspension.objects.filter(automatic=True, ended_at__isnull=True)
    sections.append(
        _section(
            _("Mentors suspended by the strike rule"),
            automatic.select_related("mentor__user").order_by("started_at")[:shown],
            count=automatic.count(),
            changelist="admin:mentors_suspension_changelist",
            query="automatic__exact=1&ended_at__isempty=1",
            describe_row=lambda s: QueueItem(
                f"{s.mentor.user.name} — {s.reason}",
                s.started_at,
                reverse("admin:mentors_suspension_change", args=[s.pk]),
            ),
        )
    )
    refused = Payment.objects.filter(amount_mismatch=True, mismatch_reviewed_at__isnull=True)
    sections.append(
        _section(
            _("Payments refused: not the amount asked for"),
            refused.select_related(
                "booking__offering",
                "booking__mentee",
                "enrollment__cohort",
                "enrollment__member",
                "subscription__plan",
                "subscription__mentee",
            ).order_by("created_at")[:shown],
            count=refused.count(),
            changelist="admin:billing_payment_changelist",
            query="mismatch=to_review",
            describe_row=lambda p: QueueItem(
                _refused_payment_text(p),
                p.paid_at or p.created_at,
                reverse("admin:billing_payment_change", args=[p.pk]),
            ),
        )
    )
    return sections


def _refused_payment_text(payment) -> str:
    took = payment.charged_display if payment.reported_amount is not None else "an unreadable amount"
    what = f"{payment.buyer.name}: {payment.purchase_title}"
    return f"{what} · asked {payment.amount_display}, Stripe took {took}"


STRIKE_PERIOD = timedelta(days=90)


def upheld_strikes(*, mentor_id: int, now: datetime) -> QuerySet[Strike]:
    """The mentor's upheld no-shows of sessions in the last 90 days (three suspend them)."""
    return (
        Strike.objects.filter(
            mentor_id=mentor_id, status=Strike.Status.UPHELD, booking__starts_at__gte=now - STRIKE_PERIOD
        )
        .select_related("booking")
        .order_by("booking__starts_at")
    )
