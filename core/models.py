from django.core.serializers.json import DjangoJSONEncoder
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
