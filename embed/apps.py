from django.apps import AppConfig


class EmbedConfig(AppConfig):
    name = "embed"
    verbose_name = "Booking widget"

    def ready(self) -> None:
        from accounts import hooks

        from . import privacy

        hooks.personal_data_asked.register(privacy.personal_data)
        hooks.account_erasing.register(privacy.erase)
