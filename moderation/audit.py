"""The audit trail: who changed what, why. Every staff decision writes one row, in the
decision's own transaction."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from accounts.models import User

from . import selectors
from .models import AuditEntry


def audit(*, actor: User | None, action: str, target: Model | None, reason: str = "") -> AuditEntry:
    """Write one audit row (inside the caller's transaction, so it exists only if the action does)."""
    entry = AuditEntry(
        actor=actor if actor and actor.is_authenticated else None, action=action, reason=reason
    )
    if target is not None:
        entry.target_content_type = ContentType.objects.get_for_model(target)
        entry.target_id = str(target.pk)
        entry.target_repr = describe_target(target)
    entry.save()
    return entry


def describe_target(target: Model) -> str:
    """How the audit log and reports name what they are about."""
    try:
        return selectors.describe(target)
    except KeyError:
        return str(target)[:200]
