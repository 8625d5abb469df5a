from django.apps import AppConfig

from billing import hooks as billing_hooks
from billing.purchases import register


class CohortsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cohorts"
    verbose_name = "Cohorts"

    def ready(self) -> None:
        # billing takes the money for seats (a purchase kind of its own) and offers cohorts to
        # mentees with an upgrade credit; cohorts answer it here (billing never imports cohorts).
        from . import ladder
        from .purchases import SeatPurchase

        register(SeatPurchase())
        billing_hooks.upgrade_offer_target.register(ladder.upgrade_offer_target)
        billing_hooks.upgrade_spend_targets.register(ladder.upgrade_spend_targets)
        billing_hooks.upgrade_credit_kept.register(ladder.upgrade_credit_kept)

        from sessions import hooks as sessions_hooks

        from . import selectors

        sessions_hooks.discount_percent.register(selectors.session_discount_percent)
        sessions_hooks.busy_elsewhere.register(selectors.facilitators_busy)
