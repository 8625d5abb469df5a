from django.apps import AppConfig


class QAConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "qa"
    verbose_name = "Q&A threads"
