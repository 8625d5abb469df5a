from django.apps import AppConfig


class MentoringConfig(AppConfig):
    """Micro-sessions. Labelled "mentoring": django.contrib.sessions owns the label "sessions"."""

    name = "sessions"
    label = "mentoring"
    verbose_name = "Micro-sessions"

    def ready(self):
        from mentors.hooks import availability_changed, listing_changed

        from . import hooks, previews, request_views

        listing_changed.register(previews.mentor_refresh_min_price)
        availability_changed.register(previews.mentor_refresh_free_slots_later)
        hooks.booking_page_context.register(request_views.booking_page_context)
