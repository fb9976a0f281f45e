"""Through a real Celery worker: workers online and offline, and stalled turns that recover."""

import os
import subprocess
import sys

import pytest
from django.urls import reverse

from negotiations.models import ENDED_STATUSES, Negotiation, NegotiationStatus
from procur.ops.tasks import sweep_stalled_negotiations
from tests.ops.conftest import make_negotiation
from tests.orchestration.conftest import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

OPS = "/ops/"
PROBE = "ops-probe@procur-tests"


def _page(client) -> str:
    return client.get(OPS).content.decode()


def _page_showing(client, worker: str, state: str) -> str | None:
    page = _page(client)
    return page if f'data-worker="{worker}" data-state="{state}"' in page else None


@pytest.fixture
def probe_worker(settings):
    """A real worker process on the test broker, consuming a queue nothing is sent to (so it
    never plays a turn against another database): it only answers pings and inspections."""
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "procur", "worker"),
            *("--hostname", PROBE, "--pool", "solo", "--queues", "ops-probe"),
            *("--without-mingle", "--without-gossip", "--loglevel", "WARNING"),
        ],
        env={**os.environ, "REDIS_URL": settings.REDIS_URL},
        cwd=settings.BASE_DIR,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def test_a_stopped_worker_is_shown_offline(client, superuser, probe_worker):
    client.force_login(superuser)
    # Listed online once its process has started and answers the page's ping.
    wait_for(lambda: _page_showing(client, PROBE, "online"), timeout=90, interval=0.5)

    probe_worker.terminate()  # a warm shutdown, as `docker stop` or Ctrl-C would do
    probe_worker.wait(timeout=60)
    page = _page(client)
    assert f'data-worker="{PROBE}" data-state="offline"' in page
    assert f'data-worker="{PROBE}" data-state="online"' not in page


def test_the_running_worker_is_online_with_its_task_lists(
    client, operator, superuser, celery_worker
):
    client.force_login(superuser)
    page = _page(client)
    assert f'data-worker="{celery_worker.hostname}" data-state="online"' in page
    client.force_login(operator)  # workers are the platform's: an operator sees they are up
    page = _page(client)
    assert celery_worker.hostname not in page
    assert "No worker is online" not in page


def _ended(negotiation: Negotiation) -> bool:
    negotiation.refresh_from_db()
    return negotiation.status in ENDED_STATUSES


def test_a_stalled_negotiation_is_listed_requeued_and_then_finishes(
    client, operator, organisation, celery_worker
):
    # Its first turn was lost on the way: queued, nothing in the broker, idle for ten minutes.
    stalled = make_negotiation(organisation, status=NegotiationStatus.QUEUED, idle_seconds=600)
    client.force_login(operator)
    assert f'data-stalled="{stalled.pk}"' in client.get(OPS).content.decode()

    response = client.post(reverse("ops_requeue", args=[stalled.pk]))
    assert response.status_code == 302

    wait_for(lambda: _ended(stalled), timeout=120)
    assert stalled.turns_taken >= 2
    assert stalled.messages.filter(sender__in=["brand", "supplier"]).count() == stalled.turns_taken
    assert f'data-stalled="{stalled.pk}"' not in client.get(OPS).content.decode()


def test_the_periodic_sweep_requeues_stalled_negotiations_until_they_finish(
    organisation, celery_worker
):
    stalled = make_negotiation(organisation, status=NegotiationStatus.ACTIVE, idle_seconds=600)
    fresh = make_negotiation(organisation, status=NegotiationStatus.ACTIVE, idle_seconds=1)
    ended = make_negotiation(organisation, status=NegotiationStatus.IMPASSE, idle_seconds=600)

    # Sent through the broker like beat sends it, and run by the real worker.
    sweep_stalled_negotiations.delay()

    wait_for(lambda: _ended(stalled), timeout=120)
    fresh.refresh_from_db()
    ended.refresh_from_db()
    assert fresh.turns_taken == 0 and fresh.status == NegotiationStatus.ACTIVE
    assert ended.status == NegotiationStatus.IMPASSE
