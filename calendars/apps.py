from django.apps import AppConfig

from cohorts import hooks as cohorts_hooks
from sessions import hooks as sessions_hooks


class CalendarsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "calendars"
    verbose_name = "Mentors' own calendars"

    def ready(self) -> None:
        from . import selectors, writing

        # Busy time read from a mentor's calendar blocks their slots like a cohort event.
        sessions_hooks.busy_elsewhere.register(selectors.imported_busy)
        # A session confirmed, moved or ended is written to (or removed from) their calendar.
        sessions_hooks.booking_scheduled.register(writing.push_booking_later)
        sessions_hooks.booking_ended.register(writing.push_booking_later)
        # And so is a cohort event they facilitate.
        cohorts_hooks.facilitator_calendar_changed.register(writing.push_cohort_later)
