from django.apps import AppConfig

from billing import hooks as billing_hooks
from billing.purchases import register
from sessions import hooks as sessions_hooks


class CohortsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cohorts"
    verbose_name = "Cohorts"

    def ready(self) -> None:
        # Here, not above: these modules import models, which load once the app registry is ready.
        from . import ladder, selectors
        from .purchases import SeatPurchase

        # billing takes the money for seats (a purchase kind of its own) and offers cohorts to
        # mentees with an upgrade credit; cohorts answer it here (billing never imports cohorts).
        register(SeatPurchase())
        billing_hooks.upgrade_offer_target.register(ladder.upgrade_offer_target)
        billing_hooks.upgrade_spend_targets.register(ladder.upgrade_spend_targets)
        billing_hooks.upgrade_credit_kept.register(ladder.upgrade_credit_kept)

        sessions_hooks.discount_percent.register(selectors.session_discount_percent)
        sessions_hooks.busy_elsewhere.register(selectors.facilitators_busy)
