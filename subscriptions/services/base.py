"""What every part of a subscription's services shares: SubscriptionError."""

from __future__ import annotations

from core.errors import DomainError


class SubscriptionError(DomainError):
    """A rule about plans, subscriptions or credits said no."""
