"""How a lower app reaches a higher one without importing it.

The apps depend one way (docs/architecture.md): `sessions` may import `mentors`, never `billing`.
When a lower app's rule needs a higher app to act (a cancelled booking is refunded by `billing`,
a confirmed one gets its reminders from `notifications`), the lower app defines a named hook in
its own `hooks.py`, says there what it passes and what it expects back, and calls it; the higher
app registers its function from its AppConfig.ready(). Nothing is hidden in signals: every hook
is a module-level name a reader can grep for, and every registration is one line in an apps.py.

    # sessions/hooks.py
    booking_cancelled = Hook("booking_cancelled", "booking, refund_due, was_confirmed")

    # billing/apps.py, in ready()
    from sessions.hooks import booking_cancelled
    booking_cancelled.register(billing.purchases.on_booking_cancelled)

Registered functions run in registration order (INSTALLED_APPS order), inside the caller's
transaction; side effects that must wait for the commit use transaction.on_commit themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Hook:
    def __init__(self, name: str, passes: str = ""):
        self.name = name
        self.passes = passes
        self._receivers: list[Callable[..., Any]] = []

    def __repr__(self) -> str:
        return f"<Hook {self.name}({self.passes}): {len(self._receivers)} registered>"

    def register(self, receiver: Callable[..., Any]) -> Callable[..., Any]:
        """Add `receiver` (once, however often ready() runs); usable as a decorator."""
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def call(self, **kwargs) -> list[Any]:
        """Call every receiver with the keyword arguments; their answers, in order."""
        return [receiver(**kwargs) for receiver in self._receivers]

    def first(self, default: Any = None, **kwargs) -> Any:
        """The first answer that is not None (a question one higher app answers), else `default`."""
        for receiver in self._receivers:
            answer = receiver(**kwargs)
            if answer is not None:
                return answer
        return default

    @property
    def receivers(self) -> tuple[Callable[..., Any], ...]:
        return tuple(self._receivers)
