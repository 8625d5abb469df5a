"""Production settings: SECRET_KEY is required with DEBUG off, `check --deploy` (django-ratelimit's
cache checks included) is clean with Redis, and Sentry starts only with a DSN."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from tests.core.helpers import CLEAN_ENV, settings_in_a_fresh_process


def test_secret_key_is_required_to_serve_when_debug_is_off():
    refused = settings_in_a_fresh_process("import config.wsgi", DEBUG="0")
    assert refused.returncode != 0
    assert "The SECRET_KEY setting must not be empty" in refused.stderr
    tooling = settings_in_a_fresh_process(  # commands that sign nothing still run (makemigrations)
        "django.setup(); from django.core.management import call_command; call_command('check')", DEBUG="0"
    )
    assert tooling.returncode == 0, tooling.stderr

    demo = settings_in_a_fresh_process(
        "django.setup(); from django.conf import settings; print(settings.SECRET_KEY)", DEBUG="1"
    )
    assert demo.returncode == 0, demo.stderr and demo.stdout.startswith("django-insecure-")


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL: production's cache is Redis")
def test_check_deploy_is_clean_with_redis_and_rate_limits():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env={
            **CLEAN_ENV,
            "DEBUG": "0",
            "SECRET_KEY": "a-long-random-production-key-" + "x" * 40,
            "ALLOWED_HOSTS": "example.com",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "django_ratelimit" not in result.stdout + result.stderr


def test_sentry_is_not_started_without_a_dsn():
    import sentry_sdk

    assert not settings.SENTRY_DSN
    assert not sentry_sdk.get_client().is_active()
    started = settings_in_a_fresh_process(
        "django.setup(); import sentry_sdk; print(sentry_sdk.get_client().is_active())", DEBUG="1"
    )
    assert started.stdout.strip() == "False", started.stderr


def test_sentry_starts_with_a_dsn_without_personal_data():
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    from config.sentry import sentry_init

    try:
        sentry_init(
            dsn="https://key@o0.ingest.sentry.io/0",
            environment="staging",
            release="1.2.3",
            traces_sample_rate=0.0,
        )
        client = sentry_sdk.get_client()
        assert client.is_active()
        collected = client.options["data_collection"]
        assert collected["user_info"] is False and collected["http_bodies"] == []
        assert collected["cookies"]["mode"] == "off" and collected["url_query_params"]["mode"] == "off"
        assert collected["stack_frame_variables"] is False  # what people wrote stays out of frames
        assert not collected["database_query_data"] and not collected["queues"]
        assert (client.options["environment"], client.options["release"]) == ("staging", "1.2.3")
        assert client.get_integration(DjangoIntegration) and client.get_integration(CeleryIntegration)
    finally:
        sentry_sdk.get_global_scope().set_client(None)
        sentry_sdk.init(dsn=None)  # back to the inactive client the rest of the run expects


def test_settings_start_sentry_when_sentry_dsn_is_set():
    started = settings_in_a_fresh_process(
        "django.setup(); import sentry_sdk; c = sentry_sdk.get_client(); "
        "print(c.is_active(), c.options['environment'], c.options['traces_sample_rate'])",
        DEBUG="1",
        SENTRY_DSN="https://key@o0.ingest.sentry.io/0",
        SENTRY_ENVIRONMENT="review",
        SENTRY_TRACES_SAMPLE_RATE="0.25",
    )
    assert started.stdout.strip() == "True review 0.25", started.stderr
