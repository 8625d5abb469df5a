"""Connect: a mentor's Express account, through which their share of each payment is paid out.

The account is created once, then onboarded through single-use Stripe links; Stripe's
account.updated (and a re-read when the mentor comes back from onboarding) keeps our row in step.
The demo provider makes an account that can be paid at once.
"""

from __future__ import annotations

import logging

from django.utils.translation import gettext

from mentors.models import MentorProfile

from .. import stripe_client
from ..models import ConnectedAccount, Payment
from ..stripe_client import BillingError
from .payments import payments_off, provider

logger = logging.getLogger("billing")


def mentor_payouts_ready(*, mentor: MentorProfile) -> bool:
    """Paid offerings need a connected account that can receive payouts (Stripe only)."""
    if provider() != Payment.Provider.STRIPE:
        return True
    return ConnectedAccount.objects.filter(mentor=mentor, payouts_enabled=True).exists()


def mentor_payouts_onboarding_url(*, mentor: MentorProfile, return_url: str, refresh_url: str) -> str:
    """Create the Express account once, then a fresh single-use onboarding link."""
    if payments_off():
        raise BillingError(gettext("Payouts are not set up on this site yet."), code="not_configured")
    account = ConnectedAccount.objects.filter(mentor=mentor).first()
    if provider() == Payment.Provider.DEMO:
        if account is None:
            ConnectedAccount.objects.create(
                mentor=mentor,
                stripe_account_id=f"acct_demo_{mentor.pk}",
                charges_enabled=True,
                payouts_enabled=True,
                details_submitted=True,
            )
        return return_url
    if account is None:
        created = stripe_client.express_account_create(mentor_id=mentor.pk, email=mentor.user.email)
        account, _ = ConnectedAccount.objects.get_or_create(
            mentor=mentor, defaults={"stripe_account_id": created.id}
        )
    link = stripe_client.account_link_create(
        account_id=account.stripe_account_id, refresh_url=refresh_url, return_url=return_url
    )
    return link.url


def mentor_payouts_refresh(*, mentor: MentorProfile) -> ConnectedAccount | None:
    """Re-read the account from Stripe (on return from onboarding; account.updated also does it)."""
    account = ConnectedAccount.objects.filter(mentor=mentor).first()
    if account is None or provider() != Payment.Provider.STRIPE:
        return account
    remote = stripe_client.account_retrieve(account_id=account.stripe_account_id)
    on_account_updated(remote.to_dict())
    account.refresh_from_db()
    return account


def on_account_updated(account: dict) -> None:
    stored = ConnectedAccount.objects.select_for_update().filter(stripe_account_id=account.get("id")).first()
    if stored is None:
        logger.info("account.updated for unknown account %s", account.get("id"))
        return
    stored.charges_enabled = bool(account.get("charges_enabled"))
    stored.payouts_enabled = bool(account.get("payouts_enabled"))
    stored.details_submitted = bool(account.get("details_submitted"))
    stored.save(update_fields=["charges_enabled", "payouts_enabled", "details_submitted", "updated_at"])
