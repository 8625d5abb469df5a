from django.apps import AppConfig


class CohortsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cohorts"
    verbose_name = "Cohorts"

    def ready(self) -> None:
        from sessions import hooks as sessions_hooks

        from . import selectors

        sessions_hooks.discount_percent.register(selectors.session_discount_percent)
        sessions_hooks.busy_elsewhere.register(selectors.facilitators_busy)
