from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from billing.purchases import register
from sessions import hooks as sessions_hooks


class PacksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "packs"
    verbose_name = _("Session packs")

    def ready(self) -> None:
        # Here, not above: these modules import models, which load once the app registry is ready.
        from . import selectors, services
        from .purchases import PackPurchaseKind

        # billing takes the money: a pack is one of its purchase kinds. A booking spends one of
        # its sessions as it would a subscription credit, through the same two hooks.
        register(PackPurchaseKind())
        sessions_hooks.spend_credit.register(services.pack_session_spend)
        sessions_hooks.return_credit.register(services.pack_session_return)
        sessions_hooks.offering_page_context.register(selectors.offering_page_context)
        sessions_hooks.booking_page_context.register(selectors.booking_page_context)
