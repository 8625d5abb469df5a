from django.apps import AppConfig

from cohorts import hooks as cohorts_hooks
from sessions import hooks as sessions_hooks


class WebhooksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = "Mentors' webhooks"

    def ready(self) -> None:
        from . import events

        # Each event a mentor's endpoints may choose, written in the change's own transaction.
        sessions_hooks.booking_confirmed.register(events.on_booking_confirmed)
        sessions_hooks.booking_rescheduled.register(events.on_booking_rescheduled)
        sessions_hooks.booking_cancelled.register(events.on_booking_cancelled)
        sessions_hooks.booking_completed.register(events.on_booking_completed)
        cohorts_hooks.member_joined.register(events.on_member_joined)
