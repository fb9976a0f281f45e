"""The reply-deadline sweep: called directly here (beat calls it in production), on quotes whose
reply window is seconds long."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from negotiations import services
from negotiations.models import (
    Negotiation,
    NegotiationStatus,
    Notification,
    NotificationKind,
    QuoteStatus,
    Sender,
)
from negotiations.services import reply_deadlines
from tests.orchestration.conftest import wait_for
from tests.orchestration.invited import start_invited

pytestmark = pytest.mark.django_db

WINDOW = timedelta(seconds=10)


@pytest.fixture
def waiting(quote, suppliers):
    """The quote's three negotiations, each waiting for its invited supplier."""
    quote.reply_window = WINDOW
    quote.save()
    negotiations = start_invited(quote, suppliers)
    for negotiation in negotiations:
        services.turn_run(negotiation_id=negotiation.pk, turn=1)
        # With transaction=True, a worker left running by an earlier test may play it instead.
        wait_for(lambda n=negotiation: Negotiation.objects.get(pk=n.pk).reply_due_at)
        negotiation.refresh_from_db()
    return negotiations


def test_nothing_is_due_before_half_time(waiting):
    assert services.sweep_reply_deadlines() == services.SweepResult(ended=0, reminded=0)


def test_the_reminder_is_due_at_half_time_and_sent_once(waiting):
    half_time = waiting[0].remind_at + timedelta(seconds=1)

    assert services.sweep_reply_deadlines(now=half_time).reminded == 3
    assert services.sweep_reply_deadlines(now=half_time).reminded == 0
    for negotiation in waiting:
        negotiation.refresh_from_db()
        assert negotiation.remind_at is None
        assert negotiation.status == NegotiationStatus.WAITING_FOR_SUPPLIER


def test_a_missed_deadline_ends_the_negotiation_and_the_quote_is_evaluated(waiting, quote):
    deadline = max(n.reply_due_at for n in waiting)

    result = services.sweep_reply_deadlines(now=deadline + timedelta(seconds=1))

    assert result == services.SweepResult(ended=3, reminded=0)  # no reminder once it ended
    for negotiation in waiting:
        negotiation.refresh_from_db()
        assert negotiation.status == NegotiationStatus.NO_REPLY
        assert negotiation.ended_at is not None
        assert (negotiation.reply_due_at, negotiation.remind_at) == (None, None)
        note = negotiation.messages.order_by("seq").last()
        assert note.sender == Sender.SYSTEM
        assert note.text.startswith("The supplier did not reply by ")
        assert note.audience == "internal"
        (notice,) = Notification.objects.filter(negotiation=negotiation)
        assert notice.kind == NotificationKind.SUPPLIER_MISSED
        assert notice.text.startswith(f"{negotiation.supplier.name} did not reply by ")
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.AWAITING_APPROVAL
    assert quote.recommendation is not None


def test_only_the_negotiations_past_their_deadline_end(waiting):
    late, *on_time = waiting
    Negotiation.objects.filter(pk=late.pk).update(
        reply_due_at=timezone.now() - timedelta(seconds=1)
    )

    assert services.sweep_reply_deadlines().ended == 1

    assert Negotiation.objects.get(pk=late.pk).status == NegotiationStatus.NO_REPLY
    for negotiation in on_time:
        assert Negotiation.objects.get(pk=negotiation.pk).status == (
            NegotiationStatus.WAITING_FOR_SUPPLIER
        )


def test_a_paused_negotiation_is_not_swept(waiting, user):
    services.negotiation_pause(negotiation=waiting[0], author=user)

    result = services.sweep_reply_deadlines(now=timezone.now() + WINDOW * 10)

    assert result.ended == 2
    assert Negotiation.objects.get(pk=waiting[0].pk).status == NegotiationStatus.PAUSED


def test_the_sweep_works_in_batches(waiting, monkeypatch):
    monkeypatch.setattr(reply_deadlines, "BATCH", 2)
    assert services.sweep_reply_deadlines(now=timezone.now() + WINDOW * 2).ended == 3


def test_the_sweep_locks_its_batch_skipping_rows_locked_elsewhere(waiting):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks: it runs one write transaction at a time")
    with CaptureQueriesContext(connection) as queries:
        services.sweep_reply_deadlines(now=timezone.now() + WINDOW * 2)
    locking = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert any("SKIP LOCKED" in sql and '"reply_due_at" <=' in sql for sql in locking)
    assert any("SKIP LOCKED" in sql and '"remind_at" <=' in sql for sql in locking)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_end_each_negotiation_once(waiting):
    due = timezone.now() + WINDOW * 2
    results, barrier = [], threading.Barrier(2)

    def sweep() -> None:
        barrier.wait()
        try:
            results.append(services.sweep_reply_deadlines(now=due))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(r.ended for r in results) == 3
    for negotiation in waiting:
        assert (
            negotiation.messages.filter(text__startswith="The supplier did not reply").count() == 1
        )
