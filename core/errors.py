"""The one error a rule of the product raises when it says no.

Services raise it (or an app's subclass of it, which names where the rule lives: BookingError,
CohortError…); views catch this one type and show `message` to the person, next to `field`
when the form has that field, on the form otherwise. Nothing else about a refusal is needed by a
caller; a subclass adds an attribute only where one caller needs it (BillingError.code)."""

from __future__ import annotations


class DomainError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
