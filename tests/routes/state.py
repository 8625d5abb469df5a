"""What the database holds now: the columns of one object, every table's row count, and the
watches of the catalogue (what a refused request must leave as it was)."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import connection

from billing.models import Refund
from cohorts.models import Attendance, CohortMessage, Module, PeerReview
from groups.models import GroupSeat, GroupSession
from packs.models import Pack, PackPurchase
from subscriptions.models import Plan, Subscription
from tests.routes.world import World

# Rows a page writes whenever it is shown, whatever the answer: reading marks, sessions and
# their login records; and the tasks a write asks for, saved in its transaction and queued after
# commit (core.outbox), which a test's transaction never reaches.
NOT_WATCHED = {
    "django_session",
    "qa_threadreader",
    "account_emailconfirmation",
    "core_outboxtask",
}


def fresh(obj, *fields):
    """The named fields of `obj` as the database has them now."""
    return type(obj).objects.filter(pk=obj.pk).values_list(*fields).first()


def fields_of(obj) -> dict | None:
    """All the columns of `obj` as the database has them now."""
    return type(obj).objects.filter(pk=obj.pk).values().first()


def _tables() -> list[str]:
    tables = {
        m._meta.db_table
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    }
    return sorted(tables - NOT_WATCHED)


def row_counts() -> dict[str, int]:
    """Every table's row count, in one query."""
    quote_name = connection.ops.quote_name
    tables = _tables()
    select = ", ".join(f"(SELECT COUNT(*) FROM {quote_name(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select}")
        return dict(zip(tables, cursor.fetchone(), strict=True))


@dataclass
class Snapshot:
    counts: dict
    objects: dict

    def grew(self, after: Snapshot, model) -> int:
        table = model._meta.db_table
        return after.counts[table] - self.counts[table]

    def changed_tables(self, after: Snapshot) -> set[str]:
        return {t for t in self.counts if self.counts[t] != after.counts[t]}

    def changed_objects(self, after: Snapshot) -> set[str]:
        return {name for name in self.objects if self.objects[name] != after.objects[name]}


def snapshot(world: World, watched: tuple[str, ...]) -> Snapshot:
    """Every row count, and all the columns of the world's objects named in `watched`."""
    return Snapshot(counts=row_counts(), objects={name: fields_of(getattr(world, name)) for name in watched})


# --- the catalogue's watches -------------------------------------------------------------------


def booking_state(w: World):
    return fresh(w.booking, "state", "starts_at", "reschedule_count", "outcome", "prework_answers")


def done_state(w: World):
    return fresh(w.done, "state"), fresh(w.item, "done_at"), fresh(w.review, "rating", "text", "mentor_reply")


def cohort_state(w: World):
    return (
        fresh(w.cohort, "status", "title", "seats_max", "norms"),
        fresh(w.enrollment, "state", "facilitator_notes", "completed_at", "outcome_note"),
        Module.objects.filter(cohort=w.cohort).count(),
        fresh(w.module, "title", "critique_opened_at"),
        fresh(w.event, "starts_at", "is_cancelled"),
        w.cohort.events.count(),
        CohortMessage.objects.filter(cohort=w.cohort).count(),
        PeerReview.objects.count(),
        Attendance.objects.count(),
    )


def subscription_state(w: World):
    return (
        fresh(w.subscription, "status", "plan_id", "cancel_at_period_end"),
        Subscription.objects.count(),
    )


def plan_state(w: World):
    return fresh(w.plan, "name", "price_amount", "is_published"), Plan.objects.count()


def offering_state(w: World):
    return fresh(w.offering, "title", "price_amount", "is_published"), w.profile.offerings.count()


def pack_state(w: World):
    return fresh(w.pack, "sessions", "discount_percent", "valid_months", "is_published"), Pack.objects.count()


def pack_purchase_state(w: World):
    return fresh(w.pack_purchase, "state", "closed_at"), Refund.objects.count(), PackPurchase.objects.count()


def group_session_state(w: World):
    return (
        fresh(w.group_session, "state", "title", "starts_at", "seats", "price_amount"),
        fresh(w.group_draft, "state"),
        GroupSession.objects.count(),
        fresh(w.group_seat, "state"),
        Refund.objects.count(),
    )


def group_seat_state(w: World):
    return fresh(w.group_seat, "state", "cancelled_at"), Refund.objects.count(), GroupSeat.objects.count()
