"""Sentry error reporting, started by config/settings.py only when SENTRY_DSN is set."""

from __future__ import annotations


def sentry_init(*, dsn: str, environment: str, release: str | None, traces_sample_rate: float) -> None:
    """Errors of web requests and Celery tasks, without personal data: no user or IP, no cookies,
    request bodies or query strings, no SQL parameters or task arguments, and no local variables
    in stack frames (they hold what people wrote: pre-work, messages). `data_collection` says so
    category by category; the older `send_default_pii=False` still sent bodies and variables.
    Tracing is off unless a sample rate is given."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        traces_sample_rate=traces_sample_rate,
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "database_query_data": False,
            "queues": False,
            "stack_frame_variables": False,
        },
        integrations=[DjangoIntegration(), CeleryIntegration()],
    )
