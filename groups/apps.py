from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from billing.purchases import register
from sessions import hooks as sessions_hooks


class GroupsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "groups"
    verbose_name = _("Group sessions")

    def ready(self) -> None:
        from . import selectors
        from .purchases import GroupSeatPurchase

        # billing takes the money for a seat (a purchase kind of its own); a group session's
        # time is busy for its mentor's 1:1 slots, as a cohort's live events are.
        register(GroupSeatPurchase())
        sessions_hooks.busy_elsewhere.register(selectors.mentors_busy)
