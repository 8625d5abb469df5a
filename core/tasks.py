from celery import shared_task

from . import exchange, outbox


@shared_task(acks_late=True)
def flush_outbox() -> int:
    """Beat, every minute: queue the tasks a write saved while the broker was down."""
    return outbox.outbox_flush()


@shared_task(acks_late=True)
def refresh_exchange_rates() -> int:
    """Beat, hourly: the platform's exchange rates from EXCHANGE_RATES_URL (nothing when unset)."""
    return exchange.exchange_rates_refresh()
