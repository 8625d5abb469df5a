from django.apps import AppConfig


class MatchingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "matching"
    verbose_name = "Matching"

    def ready(self):
        from mentors.hooks import availability_changed

        from .tasks import refresh_for_mentor_after_commit

        availability_changed.register(refresh_for_mentor_after_commit)
