"""Personal API tokens: a person's key to the open API (/api/v1/), made and revoked in their
settings. Only a SHA-256 of the token is stored; its first characters (`prefix`) find the row."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        READ = "read", _("Read: my bookings")
        BOOK = "book", _("Read and book: also book, cancel and reschedule")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=60)
    scope = models.CharField(_("scope"), max_length=4, choices=Scope.choices, default=Scope.READ)
    prefix = models.CharField(max_length=16, unique=True, help_text="Shown to tell tokens apart.")
    secret_hash = models.CharField(max_length=64, help_text="SHA-256 of the whole token, hex.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def may_book(self) -> bool:
        return self.scope == self.Scope.BOOK
