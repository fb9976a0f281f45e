"""The operations page: who may see it, what it lists, and the requeue button."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from negotiations.after_commit import TURN_TASK
from negotiations.models import NegotiationStatus
from procur.ops import selectors
from procur.ops.broker import Worker
from tests.factories import OrganisationFactory, UserFactory
from tests.ops.conftest import make_negotiation

pytestmark = pytest.mark.django_db

OPS = "/ops/"


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(OPS)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_staff_without_the_permission_are_refused(client, organisation):
    client.force_login(UserFactory(organisation=organisation, is_staff=True))
    assert client.get(OPS).status_code == 403


def test_the_page_refreshes_its_panels_with_htmx(client, superuser):
    client.force_login(superuser)
    page = client.get(OPS).content.decode()
    assert 'hx-trigger="every 5s"' in page
    assert 'data-queue="celery"' in page

    panels = client.get(OPS, headers={"HX-Request": "true"}).content.decode()
    assert panels.lstrip().startswith('<div id="ops-panels"')
    assert "<html" not in panels


def test_it_lists_stalled_negotiations_of_the_operators_organisation(
    client, operator, organisation
):
    stalled = make_negotiation(organisation, idle_seconds=600)
    queued_and_lost = make_negotiation(
        organisation, status=NegotiationStatus.QUEUED, idle_seconds=600
    )
    fresh = make_negotiation(organisation, idle_seconds=5)
    paused = make_negotiation(organisation, status=NegotiationStatus.PAUSED, idle_seconds=600)
    theirs = make_negotiation(OrganisationFactory(), idle_seconds=600)
    client.force_login(operator)
    page = client.get(OPS).content.decode()
    assert f'data-stalled="{stalled.pk}"' in page
    assert f'data-stalled="{queued_and_lost.pk}"' in page
    for other in (fresh, paused, theirs):
        assert f'data-stalled="{other.pk}"' not in page


def test_a_turn_holding_a_live_lease_is_not_stalled(client, operator, organisation):
    working = make_negotiation(
        organisation,
        idle_seconds=600,
        lease_token="t",
        lease_expires_at=timezone.now() + timedelta(seconds=30),
    )
    client.force_login(operator)
    assert f'data-stalled="{working.pk}"' not in client.get(OPS).content.decode()


def test_it_lists_recent_failures_with_their_error(client, superuser, organisation):
    failed = make_negotiation(organisation, status=NegotiationStatus.FAILED, error="LLM gone")
    client.force_login(superuser)
    page = client.get(OPS).content.decode()
    assert f'data-failed="{failed.pk}"' in page
    assert "LLM gone" in page


def test_the_requeue_button_needs_a_csrf_token(operator, organisation):
    stalled = make_negotiation(organisation, idle_seconds=600)
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    assert client.post(reverse("ops_requeue", args=[stalled.pk])).status_code == 403


def test_requeue_enqueues_the_next_turn(
    client, operator, organisation, django_capture_on_commit_callbacks
):
    stalled = make_negotiation(organisation, idle_seconds=600)
    client.force_login(operator)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("ops_requeue", args=[stalled.pk]))
    assert response.status_code == 302 and response["Location"] == OPS
    assert len(callbacks) == 1


def test_requeue_refuses_an_ended_negotiation_with_a_message(
    client, operator, organisation, django_capture_on_commit_callbacks
):
    ended = make_negotiation(organisation, status=NegotiationStatus.AGREED)
    client.force_login(operator)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("ops_requeue", args=[ended.pk]), follow=True)
    assert not callbacks
    assert "Only a running negotiation can be requeued" in response.content.decode()


def test_requeue_of_another_organisations_negotiation_is_not_found(client, operator):
    theirs = make_negotiation(OrganisationFactory(), idle_seconds=600)
    client.force_login(operator)
    assert client.post(reverse("ops_requeue", args=[theirs.pk])).status_code == 404


def test_requeue_is_post_only(client, operator, organisation):
    stalled = make_negotiation(organisation, idle_seconds=600)
    client.force_login(operator)
    assert client.get(reverse("ops_requeue", args=[stalled.pk])).status_code == 405


def test_an_unreachable_broker_is_shown_not_a_500(client, operator, superuser, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    client.force_login(operator)
    response = client.get(OPS)
    assert response.status_code == 200
    assert "The broker did not answer" in response.content.decode()
    assert "127.0.0.1:1" not in response.content.decode()  # the platform's details
    client.force_login(superuser)
    assert "127.0.0.1:1" in client.get(OPS).content.decode()


def test_an_operator_sees_no_queues_or_workers_of_the_platform(client, operator, superuser):
    client.force_login(operator)
    page = client.get(OPS).content.decode()
    assert "data-queue=" not in page and "data-worker=" not in page
    assert "Turns on the workers" in page
    client.force_login(superuser)
    page = client.get(OPS).content.decode()
    assert 'data-queue="celery"' in page


def _turn(negotiation_id: int, turn: int, name: str = TURN_TASK) -> dict:
    """A task as ``broker.workers`` reports it from the workers' inspect replies."""
    return {"id": f"t-{negotiation_id}-{turn}", "name": name, "args": [negotiation_id, turn]}


def test_an_operator_is_shown_only_its_own_organisations_turns(operator, superuser, organisation):
    ours = make_negotiation(organisation)
    theirs = make_negotiation(OrganisationFactory())
    workers = [
        Worker(
            name="w1@host",
            online=True,
            active=[_turn(ours.pk, 3), _turn(theirs.pk, 5)],
            reserved=[
                {"id": "s", "name": "procur.ops.tasks.sweep_stalled_negotiations", "args": []}
            ],
        ),
        Worker(name="w2@host", online=True, reserved=[_turn(theirs.pk, 6), _turn(ours.pk, 4)]),
    ]
    held = selectors.held_turns(operator, workers)
    assert [(h.negotiation.pk, h.turn, h.running) for h in held] == [
        (ours.pk, 3, True),
        (ours.pk, 4, False),
    ]
    everything = selectors.held_turns(superuser, workers)
    assert {h.negotiation.pk for h in everything} == {ours.pk, theirs.pk}
    assert len(everything) == 4


@pytest.mark.parametrize("args", ["[7, 2]", "garbage(", [], ["x", 1], None])
def test_odd_task_arguments_are_skipped_or_read_not_a_500(operator, organisation, args):
    ours = make_negotiation(organisation)
    task = {"id": "t", "name": TURN_TASK, "args": args if args != "[7, 2]" else f"[{ours.pk}, 2]"}
    held = selectors.held_turns(operator, [Worker(name="w", online=True, active=[task])])
    assert [h.negotiation.pk for h in held] == ([ours.pk] if args == "[7, 2]" else [])
