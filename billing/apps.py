from django.apps import AppConfig
from django.conf import settings

from . import purchases


class BillingConfig(AppConfig):
    name = "billing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .services.payments import check_provider_settings

        check_provider_settings(
            provider=settings.BILLING_PROVIDER, debug=settings.DEBUG, secret_key=settings.STRIPE_SECRET_KEY
        )
        from .services import (
            authorisations,
            bookings,
            checkout,
            codes,
            connect,
            payouts,
            refunds_in_stripe,
            series,
        )
        from .services.events import register_event_handler

        purchases.register(bookings.SessionPurchase())
        # Stripe's events billing applies (subscriptions registers Stripe Billing's: its apps.py).
        for event_type, handle in {
            # A weekly series' checkout is settled by series.py; the others pass on to checkout.py.
            "checkout.session.completed": series.on_checkout_completed,
            "checkout.session.async_payment_succeeded": series.settle_paid_session,
            "checkout.session.async_payment_failed": series.on_async_payment_failed,
            "checkout.session.expired": series.on_checkout_expired,
            "payment_intent.payment_failed": checkout.on_payment_intent_failed,
            # A request to book's card (manual capture): authorised, captured, released.
            "payment_intent.amount_capturable_updated": authorisations.on_authorised,
            "payment_intent.succeeded": authorisations.on_intent_succeeded,
            "payment_intent.canceled": authorisations.on_intent_canceled,
            "charge.succeeded": checkout.on_charge_succeeded,
            "charge.refunded": refunds_in_stripe.on_charge_refunded,
            "charge.refund.updated": refunds_in_stripe.on_refund_event,
            "refund.created": refunds_in_stripe.on_refund_event,
            "refund.updated": refunds_in_stripe.on_refund_event,
            "refund.failed": refunds_in_stripe.on_refund_event,
            "charge.dispute.created": payouts.on_dispute_created,
            "charge.dispute.closed": payouts.on_dispute_closed,
            "account.updated": connect.on_account_updated,
            "transfer.reversed": payouts.on_transfer_reversed,
        }.items():
            register_event_handler(event_type, handle)

        # What sessions asks of billing (sessions/hooks.py): the money it decides to move, after commit.
        from sessions import hooks as sessions_hooks

        from . import ladder, selectors, services, tasks, views

        sessions_hooks.refund_booking.register(tasks.refund_booking_after_commit)
        sessions_hooks.pay_out_booking.register(tasks.payout_booking_after_commit)
        sessions_hooks.close_checkout.register(tasks.expire_checkout_after_commit)
        sessions_hooks.capture_payment.register(tasks.capture_request_payment_after_commit)
        sessions_hooks.release_authorisation.register(tasks.release_authorisation_after_commit)
        sessions_hooks.review_posted.register(ladder.upgrade_offer_create_for_review)
        sessions_hooks.paid_offering_allowed.register(services.mentor_payouts_ready)
        sessions_hooks.payment_redirect.register(views.redirect_to_checkout)
        sessions_hooks.booking_page_context.register(selectors.booking_page_context)
        sessions_hooks.apply_code.register(codes.apply_code_to_booking)
        sessions_hooks.quote_code.register(codes.quote_code_for_offering)
        sessions_hooks.booking_email_context.register(codes.booking_email_context)
