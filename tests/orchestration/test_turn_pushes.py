"""What a turn asks the live room to push after commit: its message (which carries its column's
status and progress, the header and the chart) every turn; the negotiation's and the whole
quote's state only when the turn changed the negotiation's status."""

from functools import partial

import pytest

from negotiations import live, services
from negotiations.models import NegotiationStatus

pytestmark = pytest.mark.django_db


def pushes(callbacks) -> list[str]:
    return [
        c.func.__name__
        for c in callbacks
        if isinstance(c, partial) and c.func.__module__ == live.__name__
    ]


@pytest.fixture
def negotiation(quote, suppliers):
    negotiation = services.quote_start(quote=quote, suppliers=suppliers)[0]
    services.turn_run(negotiation_id=negotiation.pk, turn=1)
    negotiation.refresh_from_db()
    return negotiation


def test_a_turn_that_keeps_the_status_pushes_its_message_only(
    negotiation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        outcome = services.turn_run(negotiation_id=negotiation.pk, turn=2)

    assert outcome.result == NegotiationStatus.ACTIVE
    assert pushes(callbacks) == ["publish_message"]


def test_a_turn_that_changes_the_status_also_pushes_the_whole_quote(
    negotiation, user, django_capture_on_commit_callbacks
):
    services.turn_run(negotiation_id=negotiation.pk, turn=2)
    services.negotiation_guide(negotiation=negotiation, author=user, text="Walk away now.")

    with django_capture_on_commit_callbacks() as callbacks:
        outcome = services.turn_run(negotiation_id=negotiation.pk, turn=3)

    assert outcome.result == NegotiationStatus.WALKED_AWAY
    # The internal note of how the guidance was applied, then the brand's move.
    assert pushes(callbacks) == [
        "publish_message",
        "publish_message",
        "publish_negotiation",
        "publish_quote",
    ]
