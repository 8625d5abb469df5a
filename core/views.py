from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static

from .outbox import outbox_stuck


def favicon(request):
    """Browsers ask for /favicon.ico whatever a page's <link rel="icon"> says: send the static one."""
    response = redirect(static("icons/favicon.ico"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


def healthz(request):
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - report, never raise
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        cache.set("healthz", "1", 5)
        checks["cache"] = "ok" if cache.get("healthz") == "1" else "error: no round trip"
    except Exception as exc:  # noqa: BLE001
        checks["cache"] = f"error: {exc.__class__.__name__}"
    checks["broker"] = _broker_status()
    checks["outbox"] = _outbox_status()
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", **checks}, status=200 if healthy else 503)


def _broker_status() -> str:
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"


def _outbox_status() -> str:
    """Tasks saved by writes wait in the outbox only while the broker is away, a minute or so:
    longer means the sweep (beat) is not running or the broker has not come back."""
    try:
        count, oldest = outbox_stuck()
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"
    if not count:
        return "ok"
    return f"error: {count} task{'s' if count > 1 else ''} waiting since {oldest:%Y-%m-%d %H:%M} UTC"


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
