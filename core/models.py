from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MinValueValidator
from django.db import models


class OutboxTask(models.Model):
    """A background task a write asked for, saved in the write's own transaction and deleted once
    the broker has it (see core.outbox): if Redis is down when the write commits, the task waits
    here and the minute sweep queues it when the broker is back, so no e-mail or refund is lost."""

    task = models.CharField(max_length=200, help_text="The Celery task's name.")
    args = models.JSONField(default=list, encoder=DjangoJSONEncoder)
    kwargs = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Times the sweep tried to queue it.")
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.task} ({self.created_at:%Y-%m-%d %H:%M})"


class ExchangeRate(models.Model):
    """How many units of `currency` one unit of `base` buys, on `as_of`: the platform's own table,
    refreshed by a worker (core.exchange) and editable by staff, so prices in different
    currencies can be compared (matching compares them with a mentee's budget)."""

    currency = models.CharField(max_length=3, unique=True)
    base = models.CharField(max_length=3, default="USD")
    rate = models.DecimalField(
        max_digits=20,
        decimal_places=8,
        validators=[MinValueValidator(Decimal("0.00000001"))],
        help_text="Units of this currency for one unit of the base currency.",
    )
    as_of = models.DateField(help_text="The day the rate is for.")
    source = models.CharField(max_length=200, blank=True, help_text="Where it came from (a URL or 'staff').")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["currency"]
        constraints = [
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"1 {self.base} = {self.rate.normalize()} {self.currency} ({self.as_of})"
