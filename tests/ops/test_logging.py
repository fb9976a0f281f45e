"""Structured logs: a request id on every web line, a negotiation id on every task line."""

import io
import json
import logging
import os
import subprocess
import sys

import pytest

from procur.celery import app as celery_app
from procur.ops.logging import bind_negotiation, formatter_config
from tests.orchestration.conftest import wait_for


@pytest.fixture
def log_lines():
    """Every record the root logger handles, rendered by our formatter, parsed back."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    config = formatter_config()
    handler.setFormatter(config.pop("()")(**config))
    root = logging.getLogger()
    root.addHandler(handler)
    previous_level = root.level
    root.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(previous_level)


@celery_app.task(name="tests.ops.log_for_negotiation")
def log_for_negotiation(negotiation_id: int, turn: int) -> None:
    logging.getLogger("tests.ops").info("playing turn %s", turn)


@pytest.mark.django_db
def test_every_line_of_a_request_carries_its_echoed_request_id(client, log_lines):
    response = client.get("/no-such-page", headers={"X-Request-ID": "req-42.a"})
    assert response["X-Request-ID"] == "req-42.a"
    lines = log_lines()
    assert {line["logger"] for line in lines} >= {"procur.request", "django.request"}
    assert {line["request_id"] for line in lines} == {"req-42.a"}
    access = next(line for line in lines if line["logger"] == "procur.request")
    assert access["status"] == 404 and access["path"] == "/no-such-page"


@pytest.mark.django_db
def test_a_missing_or_unsafe_request_id_is_replaced(client, log_lines):
    generated = client.get("/healthz")["X-Request-ID"]
    forged = client.get("/healthz", headers={"X-Request-ID": 'x" injected=1'})["X-Request-ID"]
    assert len(generated) == 32 and len(forged) == 32 and generated != forged
    assert [line["request_id"] for line in log_lines()] == [generated, forged]


def test_bind_negotiation_tags_lines_inside_only(log_lines):
    log = logging.getLogger("tests.ops")
    with bind_negotiation(7):
        log.info("inside")
    log.info("outside")
    inside, outside = log_lines()
    assert inside["negotiation_id"] == 7
    assert "negotiation_id" not in outside


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_a_task_line_carries_the_negotiation_id_of_its_arguments(celery_worker, log_lines):
    log_for_negotiation.delay(31, turn=4)
    line = wait_for(
        lambda: next((x for x in log_lines() if x["event"] == "playing turn 4"), None), timeout=30
    )
    assert line["negotiation_id"] == 31
    assert line["task"] == "tests.ops.log_for_negotiation"


def _sentry_state(**env: str) -> dict:
    """Settings loaded in a fresh process, so Sentry's global client never leaks into tests."""
    script = (
        "import json, django, sentry_sdk; django.setup(); c = sentry_sdk.get_client(); "
        "print(json.dumps({'active': c.is_active(), "
        "'integrations': sorted(getattr(c, 'integrations', {}))}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "procur.settings", **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout.splitlines()[-1])


def test_sentry_is_off_without_a_dsn():
    env = {k: v for k, v in os.environ.items() if k != "SENTRY_DSN"}
    assert _sentry_state(**env, SENTRY_DSN="")["active"] is False


def test_sentry_reports_django_and_celery_when_a_dsn_is_set():
    state = _sentry_state(SENTRY_DSN="http://public@127.0.0.1:9/1")
    assert state["active"] is True
    assert {"django", "celery"} <= set(state["integrations"])
