"""The product's settings read in a fresh Python process, with a clean environment."""

import os
import subprocess
import sys

from django.conf import settings

CLEAN_ENV = {
    k: v
    for k, v in os.environ.items()
    if k not in {"SECRET_KEY", "DEBUG", "SENTRY_DSN", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
}


def settings_in_a_fresh_process(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; {code}",
        ],
        cwd=settings.BASE_DIR,
        env={**CLEAN_ENV, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
