"""What every part of cohorts' services shares: CohortError, who may act, the cohort's row lock,
and the seats counted under it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import pagecache
from core.errors import DomainError

from ..models import Cohort, Enrollment

if TYPE_CHECKING:
    from accounts.models import User

State = Enrollment.State


class CohortError(DomainError):
    """A rule about cohorts, seats or critique rounds said no."""


def is_facilitator(user: User, cohort: Cohort) -> bool:
    return user.is_authenticated and cohort.facilitator.user_id == user.pk


def require_facilitator(user: User, cohort: Cohort) -> None:
    if not is_facilitator(user, cohort):
        raise CohortError(_("Only the facilitator can do this."))


def locked_cohort(cohort_id: int) -> Cohort:
    """The cohort's row locked for a change of its seats, dates or programme (which the cached
    cohort pages show: they are stale from now on)."""
    # Only the cohort's row: the facilitator's row is the lock bookings and events take.
    pagecache.changed(pagecache.COHORTS)
    return (
        Cohort.objects.select_for_update(of=("self",)).select_related("facilitator__user").get(pk=cohort_id)
    )


def seats_taken(cohort: Cohort, *, now: datetime | None = None) -> int:
    """Members, alumni, live holds and live offers (a held or offered seat is not for sale)."""
    now = now or timezone.now()
    live = Q(state__in=[State.ACTIVE, State.COMPLETED]) | Q(state=State.HELD, hold_expires_at__gt=now)
    live |= Q(state=State.OFFERED, offer_expires_at__gt=now)
    return Enrollment.objects.filter(cohort=cohort).filter(live).count()
