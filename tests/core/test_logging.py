"""Logs are JSON lines carrying the request id, from the web request into the tasks it queues."""

import io
import json
import logging
import os
import time

import pytest
from celery import shared_task

from core.logging import JsonFormatter, RequestIdFilter, request_id

seen_by_task: list[str] = []


@shared_task
def remember_request_id() -> None:
    seen_by_task.append(request_id.get())


@pytest.fixture
def log_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


def test_every_response_has_a_request_id_and_keeps_a_plain_incoming_one(client, db):
    generated = client.get("/healthz")["X-Request-ID"]
    assert len(generated) == 32 and generated != client.get("/healthz")["X-Request-ID"]
    assert client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42"})["X-Request-ID"] == "lb-7f3a.42"
    forged = client.get("/healthz", headers={"X-Request-ID": "x\nFAKE LOG LINE"})["X-Request-ID"]
    assert "\n" not in forged and len(forged) == 32


def test_a_log_line_written_while_serving_a_request_is_json_with_its_id(client, db, log_lines):
    response = client.get("/no-such-page/")  # django.request logs "Not Found" as a warning
    assert response.status_code == 404
    [line] = [entry for entry in log_lines() if entry["logger"] == "django.request"]
    assert line["request_id"] == response["X-Request-ID"]
    assert line["level"] == "WARNING" and "Not Found" in line["message"]
    assert line["time"].endswith("+00:00")


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis: set REDIS_URL")
@pytest.mark.django_db(transaction=True)
def test_a_task_logs_with_the_id_of_the_request_that_queued_it(real_worker):
    seen_by_task.clear()
    token = request_id.set("req-from-the-web")
    try:
        remember_request_id.delay()
    finally:
        request_id.reset(token)
    remember_request_id.delay()  # queued by beat or a command: an id of its own
    deadline = time.monotonic() + 20
    while len(seen_by_task) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert seen_by_task[0] == "req-from-the-web"
    assert seen_by_task[1].startswith("task-")
