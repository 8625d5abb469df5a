"""A mentor's plans: creating, editing, publishing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from billing import services as billing_services
from core import pagecache
from mentors.models import MentorProfile

from ..models import Plan
from .base import SubscriptionError

if TYPE_CHECKING:
    from accounts.models import User


def plan_save(*, mentor: MentorProfile, plan: Plan | None = None, **fields: Any) -> Plan:
    """Create or edit one of the mentor's plans (existing subscribers keep the price they have)."""
    with transaction.atomic():
        if plan is None:
            plan = Plan(mentor=mentor)
        elif plan.mentor_id != mentor.pk:
            raise SubscriptionError(_("This plan is not yours."))
        for name, value in fields.items():
            setattr(plan, name, value)
        plan.save()
        pagecache.changed(pagecache.mentor(mentor.pk))
    return plan


def plan_set_published(*, plan: Plan, by: User, published: bool) -> Plan:
    with transaction.atomic():
        plan = Plan.objects.select_for_update(of=("self",)).select_related("mentor").get(pk=plan.pk)
        if plan.mentor.user_id != by.pk:
            raise SubscriptionError(_("This plan is not yours."))
        if published and not plan.mentor.is_approved:
            raise SubscriptionError(_("You can publish once your mentor application is approved."))
        if published and not billing_services.mentor_payouts_ready(mentor=plan.mentor):
            raise SubscriptionError(_("Set up payouts before publishing a plan."))
        plan.is_published = published
        plan.save(update_fields=["is_published"])
        pagecache.changed(pagecache.mentor(plan.mentor_id))
    return plan
