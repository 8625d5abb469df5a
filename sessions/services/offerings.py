"""The mentor's offerings: creating, editing, publishing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from mentors.models import MentorProfile
from mentors.services import unique_slug

from .. import hooks, previews
from ..models import MAX_PREWORK_PROMPTS, Offering
from .base import BookingError

if TYPE_CHECKING:
    from accounts.models import User


def offering_save(*, mentor: MentorProfile, offering: Offering | None = None, **fields: Any) -> Offering:
    """Create or edit one of the mentor's own offerings."""
    prompts = [p.strip() for p in fields.pop("prework_prompts", []) if p.strip()]
    if len(prompts) > MAX_PREWORK_PROMPTS:
        raise BookingError(
            _("At most %(count)s pre-work prompts.") % {"count": MAX_PREWORK_PROMPTS}, field="prework_prompts"
        )
    with transaction.atomic():
        if offering is None:
            offering = Offering(mentor=mentor, slug=unique_slug(Offering, fields["title"], max_length=100))
        elif offering.mentor_id != mentor.pk:
            raise BookingError(_("This offering is not yours."))
        for name, value in fields.items():
            setattr(offering, name, value)
        offering.prework_prompts = prompts
        offering.save()
        previews.mentor_refresh_min_price(mentor_id=mentor.pk)
        previews.mentor_refresh_free_slots_later(mentor_id=mentor.pk)
    return offering


def offering_set_published(*, offering: Offering, by: User, published: bool) -> Offering:
    with transaction.atomic():
        offering = Offering.objects.select_for_update().select_related("mentor").get(pk=offering.pk)
        if offering.mentor.user_id != by.pk:
            raise BookingError(_("This offering is not yours."))
        if published and not offering.mentor.is_approved:
            raise BookingError(_("You can publish once your mentor application is approved."))
        if (
            published
            and offering.price_amount
            and not all(hooks.paid_offering_allowed.call(mentor=offering.mentor))
        ):
            raise BookingError(_("Set up payouts before publishing a paid offering; free ones need nothing."))
        offering.is_published = published
        offering.save(update_fields=["is_published"])
        previews.mentor_refresh_min_price(mentor_id=offering.mentor_id)
        previews.mentor_refresh_free_slots_later(mentor_id=offering.mentor_id)
    return offering
