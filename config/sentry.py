"""Sentry error reporting, started by config/settings.py only when SENTRY_DSN is set."""

from __future__ import annotations


def sentry_init(*, dsn: str, environment: str, release: str | None, traces_sample_rate: float) -> None:
    """Errors of web requests and Celery tasks, without personal data: no user, IP, cookies or
    request bodies (`send_default_pii=False`). Tracing is off unless a sample rate is given."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
        integrations=[DjangoIntegration(), CeleryIntegration()],
    )
