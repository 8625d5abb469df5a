from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Open API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import hooks

        from . import privacy

        hooks.personal_data_asked.register(privacy.personal_data)
        hooks.account_erasing.register(privacy.erase)
