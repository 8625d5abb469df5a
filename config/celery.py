import functools
import logging
import os

from celery import Celery
from celery.contrib.django.task import DjangoTask
from celery.signals import before_task_publish, task_postrun, task_prerun
from django.db import transaction
from kombu.exceptions import OperationalError

from core.logging import request_id

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
logger = logging.getLogger(__name__)


def _queue_after_commit(send, name: str):
    def queue() -> None:
        try:
            send()
        except OperationalError:
            logger.error("broker unreachable: %s was not queued after commit", name, exc_info=True)

    return queue


class Task(DjangoTask):
    """`delay_on_commit` that never turns a committed write into an error page.

    With the broker unreachable, Celery raises after commit: the request answered 500 for a
    booking that was saved, and the transaction's later callbacks did not run. Now the failure
    is logged and the rest goes on. Work with a periodic sweep behind it (reminders, webhook
    events, stuck payments, free-slot previews) is picked up later; a plain e-mail task such as
    the booking confirmation is lost (logged as an error).
    """

    def delay_on_commit(self, *args, **kwargs) -> None:
        transaction.on_commit(_queue_after_commit(functools.partial(self.delay, *args, **kwargs), self.name))

    def apply_async_on_commit(self, *args, **kwargs) -> None:
        transaction.on_commit(
            _queue_after_commit(functools.partial(self.apply_async, *args, **kwargs), self.name)
        )


app = Celery("thementors", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@before_task_publish.connect
def _carry_request_id(headers=None, **kwargs) -> None:
    """A task queued while serving a request logs with that request's id."""
    if headers is not None and request_id.get() != "-":
        headers["request_id"] = request_id.get()


@task_prerun.connect
def _adopt_request_id(task_id=None, task=None, **kwargs) -> None:
    carried = getattr(task.request, "request_id", None)
    if carried or request_id.get() == "-":  # eager tasks already run inside the request's context
        task.request.request_id_token = request_id.set(carried or f"task-{task_id}")


@task_postrun.connect
def _drop_request_id(task=None, **kwargs) -> None:
    token = getattr(task.request, "request_id_token", None)
    if token is not None:
        request_id.reset(token)
