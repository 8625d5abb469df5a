"""No task waits in Redis longer than the broker's visibility timeout: a retry or countdown past
it would be handed to a second worker while the first still holds it (run twice)."""

import re
from pathlib import Path

from django.conf import settings

from config.celery import app

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "accounts",
    "billing",
    "cohorts",
    "core",
    "dashboard",
    "matching",
    "mentors",
    "moderation",
    "notifications",
    "qa",
    "sessions",
    "subscriptions",
    "config",
]


def test_every_retry_of_our_tasks_comes_back_before_the_visibility_timeout():
    app.loader.import_default_modules()
    timeout = settings.BROKER_VISIBILITY_TIMEOUT  # Redis's, whichever broker this run uses
    ours = {name: task for name, task in app.tasks.items() if name.split(".")[0] in APPS}
    assert "notifications.tasks.send_notification" in ours
    for name, task in ours.items():
        # autoretry options live on the task only when it sets them; Celery's defaults otherwise
        backoff = getattr(task, "retry_backoff", False)
        longest = getattr(task, "retry_backoff_max", 600) if backoff else task.default_retry_delay
        assert longest < timeout, f"{name} may wait {longest} s, past the {timeout} s visibility timeout"


def test_no_task_is_queued_with_a_countdown_or_an_eta():
    """Delays are rows with a due time that a periodic sweep claims, never broker countdowns."""
    queued_later = re.compile(r"\b(countdown|eta)\s*=")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for app_name in APPS
        for path in (ROOT / app_name).rglob("*.py")
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if queued_later.search(line)
    ]
    assert found == []
