from django.apps import AppConfig
from django.core.signals import request_finished

from .logging import request_id


class CoreConfig(AppConfig):
    name = "core"

    def ready(self) -> None:
        request_finished.connect(_forget_request_id, dispatch_uid="core.forget_request_id")


def _forget_request_id(**kwargs) -> None:
    """Once the response is sent, later log lines and tasks of this thread are no longer the
    request's (core.middleware.RequestIdMiddleware set it)."""
    request_id.set("-")
