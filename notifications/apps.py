from django.apps import AppConfig

from billing.hooks import upgrade_offer_created
from cohorts import hooks as cohorts_hooks


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from sessions import hooks as sessions_hooks

        from . import selectors, services, tasks

        sessions_hooks.booking_scheduled.register(services.schedule_for_booking)
        sessions_hooks.booking_ended.register(services.cancel_for_booking)
        sessions_hooks.session_closed.register(services.checkin_schedule)
        sessions_hooks.bookings_flagged.register(tasks.send_review_flags.delay_on_commit)
        sessions_hooks.booking_page_context.register(selectors.booking_page_context)

        # A cohort member's reminders (cohorts/hooks.py).
        cohorts_hooks.calendar_changed.register(services.schedule_for_members)
        cohorts_hooks.member_joined.register(services.schedule_for_member)
        cohorts_hooks.enrollment_ended.register(services.cancel_for_member)
        cohorts_hooks.seat_offered.register(services.seat_offer_schedule)
        cohorts_hooks.peer_reviews_assigned.register(services.peer_reviews_schedule)

        from .services import ladder_up_offer_schedule

        upgrade_offer_created.register(ladder_up_offer_schedule)
