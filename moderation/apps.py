from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        post_migrate.connect(_sync_moderators_group, dispatch_uid="moderation.sync_moderators_group")

        from core import audit as core_audit
        from sessions import hooks as sessions_hooks

        from . import audit, services, views

        core_audit.recorded.register(audit.audit)  # the trail is kept here, whoever decides

        sessions_hooks.mentor_reported_absent.register(services.strike_pending)
        sessions_hooks.booking_page_context.register(views.booking_no_show_context)


def _sync_moderators_group(sender, using="default", **kwargs) -> None:
    """After the last app's post_migrate, when every app's permissions exist."""
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender is with_models[-1]:
        from .services import moderators_group_sync  # models load after apps.py: not at the top

        moderators_group_sync()
