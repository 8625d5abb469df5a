from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from billing.purchases import register


class QAConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "qa"
    verbose_name = _("Q&A threads")

    def ready(self) -> None:
        # Here, not above: these modules import models, which load once the app registry is ready.
        from .purchases import QuestionPurchase

        # billing takes the money for paid questions, a purchase kind of its own (billing never imports qa).
        register(QuestionPurchase())
