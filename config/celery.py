import os

from celery import Celery
from celery.contrib.django.task import DjangoTask
from celery.signals import before_task_publish, task_postrun, task_prerun

from core.logging import request_id

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class Task(DjangoTask):
    """`delay_on_commit` through the task outbox (core.outbox): the task is saved in the caller's
    transaction and queued after commit, so a broker outage neither turns a committed write into
    an error page nor loses the task; the minute sweep queues it once the broker is back."""

    def delay_on_commit(self, *args, **kwargs) -> None:
        from core.outbox import outbox_later

        outbox_later(task=self.name, args=args, kwargs=kwargs, send=lambda: self.delay(*args, **kwargs))

    def apply_async_on_commit(self, *args, **kwargs) -> None:
        raise NotImplementedError("Use delay_on_commit: it goes through the task outbox.")


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
