"""Recording a staff decision in the audit trail, from any app (core/hooks.py).

The trail itself (AuditEntry, the admin's audit log) is moderation's, above most apps; an app below
it records a decision through here, in the decision's own transaction, and moderation registers
the writer (moderation.audit.audit) from its ready()."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.hooks import Hook

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.db.models import Model

recorded = Hook("audit_recorded", "actor, action, target, reason")


def audit(*, actor: AbstractBaseUser | None, action: str, target: Model, reason: str = "") -> None:
    recorded.call(actor=actor, action=action, target=target, reason=reason)
