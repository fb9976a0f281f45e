"""One agent turn of one negotiation: claim it, let the agent move, store the move.

A turn task carries the number of the turn it plays. Three short transactions make it safe to
run a turn twice, or to kill it anywhere:

1. *claim*: take a lease (a token per execution) so two copies never work at once and count
   the delivery, in one conditional UPDATE when the turn is plainly next. Otherwise, with the
   row locked, say why not: a turn already stored is skipped, a lease still held retries
   later, and the negotiation fails when the same turn has been started ``MAX_DELIVERIES``
   times without completing.
2. *move*: outside any transaction (an LLM call may take seconds), build the context from the
   database and ask the agent for its move.
3. *commit*: a conditional UPDATE checks that the lease is still ours, advances the
   negotiation and locks its row; an ACCEPT is checked again (exactly the other side's offer on
   the table, inside both sides' limits: else the negotiation fails with the reason, and with
   nothing on the table it is a REJECT); then store the message, and enqueue the next turn
   after commit (``moves.settle``: the brand's move to an invited supplier waits for it
   instead, and the supplier agent never plays an invited supplier's turn). Staff guidance
   that came in while the brand agent was deciding makes it decide again (the same turn, at
   once) rather than send a move that ignores it.

Each step is as few database round trips as it can be (docs/benchmarks.md measures them): a
turn's overhead is mostly round trips.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import uuid4

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from negotiations.after_commit import enqueue_turn, push_state
from negotiations.agents import AgentTurn, AgentUnavailable, CallRecord, take_turn
from negotiations.engine import Action, Side
from negotiations.engine.guardrails import NOTHING_ON_THE_TABLE
from negotiations.models import (
    RUNNING_STATUSES,
    AgentCall,
    Message,
    Negotiation,
    NegotiationStatus,
    Quote,
    Sender,
)
from negotiations.services.context import PreparedTurn, load_negotiation, prepare_turn
from negotiations.services.evaluation import negotiation_ended
from negotiations.services.moves import (
    accept_problems,
    await_supplier,
    is_invited,
    settle,
    supplier_verdict,
)
from negotiations.services.transcript import append_message, lock_negotiation

logger = logging.getLogger(__name__)

MAX_DELIVERIES = 3


class _GuidedMeanwhile(Exception):
    """Staff guided the brand while it was deciding: its move is not stored."""


@dataclass(frozen=True)
class TurnOutcome:
    """What became of a turn task: ``retry_in`` seconds is set when the task should retry."""

    result: str
    retry_in: float | None = None


def turn_run(*, negotiation_id: int, turn: int, redelivered: bool = False) -> TurnOutcome:
    token = uuid4().hex
    claimed = _claim(negotiation_id, turn, token, redelivered)
    if claimed is not None:
        return claimed
    try:
        negotiation = load_negotiation(negotiation_id)
        prepared = prepare_turn(negotiation, turn)
        if prepared.context.side is Side.SUPPLIER and is_invited(negotiation):
            return _hand_to_supplier(negotiation_id, token)
        agent_turn = take_turn(prepared.context)
    except AgentUnavailable as exc:
        return _release_after_failure(negotiation_id, turn, token, str(exc))
    except Exception as exc:  # a defect or bad data: counted like any failed delivery
        logger.exception("turn %s of negotiation %s raised", turn, negotiation_id)
        return _release_after_failure(negotiation_id, turn, token, f"{type(exc).__name__}: {exc}")
    try:
        return _commit(negotiation, turn, token, prepared, agent_turn)
    except _GuidedMeanwhile:
        return _decide_again(negotiation_id, turn, token, prepared.context.side, agent_turn.calls)


def _lease_expiry(now: datetime) -> datetime:
    return now + timedelta(seconds=settings.TURN_TIME_LIMIT + 5)


def _claim(negotiation_id: int, turn: int, token: str, redelivered: bool) -> TurnOutcome | None:
    """Take the turn's lease, or say why not (``None`` means claimed).

    The common case is one UPDATE (no transaction, no row read): the negotiation is active,
    this turn is its next, fewer than ``MAX_DELIVERIES`` started it and no live lease holds it.
    The database applies the conditions and the change at once, so two copies cannot both win.
    """
    now = timezone.now()
    claimed = Negotiation.objects.filter(
        Q(lease_token="") | Q(lease_expires_at__lte=now),
        pk=negotiation_id,
        status=NegotiationStatus.ACTIVE,
        turns_taken=turn - 1,
        turn_deliveries__lt=MAX_DELIVERIES,
    ).update(
        turn_deliveries=F("turn_deliveries") + 1,
        lease_token=token,
        lease_expires_at=_lease_expiry(now),
        last_activity_at=now,
    )
    return None if claimed else _claim_locked(negotiation_id, turn, token, redelivered)


@transaction.atomic
def _claim_locked(
    negotiation_id: int, turn: int, token: str, redelivered: bool
) -> TurnOutcome | None:
    """The claim's other cases, with the row locked: the first turn, or a reason to skip."""
    try:
        negotiation = lock_negotiation(negotiation_id)
    except Negotiation.DoesNotExist:
        return TurnOutcome("gone")  # deleted meanwhile (with its quote): nothing to play
    if negotiation.turns_taken >= turn:
        # Stored already. A redelivery follows a crash, which may have lost the successor.
        if (
            redelivered
            and negotiation.turns_taken == turn
            and negotiation.status in RUNNING_STATUSES
        ):
            enqueue_turn(negotiation, turn + 1)
        return TurnOutcome("already done")
    if negotiation.status not in RUNNING_STATUSES or negotiation.turns_taken != turn - 1:
        return TurnOutcome(f"not playable ({negotiation.status})")
    now = timezone.now()
    if negotiation.lease_token and negotiation.lease_expires_at > now:
        return TurnOutcome("busy", retry_in=(negotiation.lease_expires_at - now).total_seconds())
    if negotiation.turn_deliveries >= MAX_DELIVERIES:
        _fail(
            negotiation,
            f"Turn {turn} was started {MAX_DELIVERIES} times without completing. "
            f"Last error: {negotiation.error or 'the worker stopped during the turn'}",
        )
        return TurnOutcome("failed")
    was_queued = negotiation.status == NegotiationStatus.QUEUED
    negotiation.status = NegotiationStatus.ACTIVE
    negotiation.turn_deliveries += 1
    negotiation.lease_token = token
    negotiation.lease_expires_at = _lease_expiry(now)
    negotiation.last_activity_at = now
    negotiation.save(
        update_fields=[
            "status",
            "turn_deliveries",
            "lease_token",
            "lease_expires_at",
            "last_activity_at",
        ]
    )
    if was_queued:
        push_state(negotiation, supplier_sees=True)
    return None


@transaction.atomic
def _release_after_failure(negotiation_id: int, turn: int, token: str, reason: str) -> TurnOutcome:
    negotiation = lock_negotiation(negotiation_id)
    if negotiation.lease_token != token:
        return TurnOutcome("lease lost")
    negotiation.lease_token, negotiation.lease_expires_at = "", None
    negotiation.error = reason
    if negotiation.turn_deliveries >= MAX_DELIVERIES:
        _fail(
            negotiation,
            f"The agent could not take turn {turn} after {MAX_DELIVERIES} tries: {reason}",
        )
        return TurnOutcome("failed")
    negotiation.save(update_fields=["lease_token", "lease_expires_at", "error"])
    return TurnOutcome("retry", retry_in=2.0**negotiation.turn_deliveries)


def _fail(negotiation: Negotiation, reason: str) -> None:
    negotiation.status = NegotiationStatus.FAILED
    negotiation.error = reason
    negotiation.lease_token, negotiation.lease_expires_at = "", None
    negotiation.ended_at = timezone.now()
    append_message(negotiation, sender=Sender.SYSTEM, text=f"This negotiation failed. {reason}")
    negotiation.save(
        update_fields=[
            "status",
            "error",
            "lease_token",
            "lease_expires_at",
            "ended_at",
            "last_activity_at",
        ]
    )
    push_state(negotiation, supplier_sees=True)
    negotiation_ended(negotiation)


def _take_question(quote_id: int) -> bool:
    """Spend one of the quote's questions, if any is left (shared by its three negotiations)."""
    return bool(
        Quote.objects.filter(pk=quote_id, questions_asked__lt=F("question_budget")).update(
            questions_asked=F("questions_asked") + 1
        )
    )


def _guided_since(negotiation_id: int, last_seq: int) -> bool:
    """Whether staff guidance was stored after the transcript read up to ``last_seq``."""
    return Message.objects.filter(
        negotiation_id=negotiation_id,
        sender=Sender.STAFF,
        guidance__isnull=False,
        seq__gt=last_seq,
    ).exists()


def _record_calls(
    negotiation: Negotiation, turn: int, side: Side, calls: tuple[CallRecord, ...]
) -> None:
    AgentCall.objects.bulk_create(
        AgentCall(negotiation=negotiation, turn=turn, side=side.value, **vars(call))
        for call in calls
    )


@transaction.atomic
def _decide_again(
    negotiation_id: int, turn: int, token: str, side: Side, calls: tuple[CallRecord, ...]
) -> TurnOutcome:
    """Hand back the lease and play the same turn again now, with the guidance in its context.
    The delivery is not counted (nothing failed); the calls of the set-aside decision are (their
    tokens were spent)."""
    negotiation = lock_negotiation(negotiation_id)
    if negotiation.lease_token != token:
        return TurnOutcome("lease lost")
    _record_calls(negotiation, turn, side, calls)
    negotiation.lease_token, negotiation.lease_expires_at = "", None
    negotiation.turn_deliveries = max(negotiation.turn_deliveries - 1, 0)
    negotiation.save(update_fields=["lease_token", "lease_expires_at", "turn_deliveries"])
    enqueue_turn(negotiation, turn)
    return TurnOutcome("guided meanwhile")


@transaction.atomic
def _hand_to_supplier(negotiation_id: int, token: str) -> TurnOutcome:
    """A supplier turn of an invited negotiation (a stray task: the brand's commit never
    enqueues one): the supplier agent never answers for a person. The negotiation waits for the
    supplier, as the brand's move left it; the delivery is not counted."""
    negotiation = lock_negotiation(negotiation_id)
    if negotiation.lease_token != token:
        return TurnOutcome("lease lost")
    negotiation.lease_token, negotiation.lease_expires_at = "", None
    negotiation.turn_deliveries = 0
    fields = ["lease_token", "lease_expires_at", "turn_deliveries"]
    if negotiation.status == NegotiationStatus.ACTIVE:
        await_supplier(negotiation)
        fields += ["status", "reply_due_at", "remind_at"]
        push_state(negotiation, supplier_sees=True)
    negotiation.save(update_fields=fields)
    return TurnOutcome("the invited supplier answers")


@transaction.atomic
def _discard(negotiation_id: int, token: str) -> TurnOutcome:
    """Paused or cancelled meanwhile, or our lease ran out and another copy took over."""
    negotiation = lock_negotiation(negotiation_id)
    if negotiation.lease_token == token:
        negotiation.lease_token, negotiation.lease_expires_at = "", None
        negotiation.save(update_fields=["lease_token", "lease_expires_at"])
    return TurnOutcome("discarded")


@transaction.atomic
def _commit(
    negotiation: Negotiation,
    turn: int,
    token: str,
    prepared: PreparedTurn,
    agent_turn: AgentTurn,
) -> TurnOutcome:
    """Store the turn. ``negotiation`` is the row as the context was built from it."""
    context = prepared.context
    # One UPDATE checks that the turn is still ours to store (our lease holds, the turn is still
    # next, nobody paused or cancelled the negotiation), stores the turn's progress and takes the
    # row lock for the rest of the transaction: the seq below is then taken by us alone.
    # Every append saves ``last_activity_at`` with its message: when it is as the context read
    # it, no message came in meanwhile and the next seq follows the context's transcript.
    read_at = negotiation.last_activity_at
    now = timezone.now()
    progress = {
        "round": context.state.round,
        "turns_taken": turn,
        "turn_deliveries": 0,
        "lease_token": "",
        "lease_expires_at": None,
        "error": "",
        "last_activity_at": now,
    }
    ours = Negotiation.objects.filter(
        pk=negotiation.pk, lease_token=token, turns_taken=turn - 1, status__in=RUNNING_STATUSES
    )
    if ours.filter(last_activity_at=read_at).update(**progress):
        seq = prepared.last_seq + 1
    elif ours.update(**progress):
        # Staff or the sweep wrote meanwhile. The row is locked now, so nothing more comes in
        # before this turn is stored: a brand move made without the guidance it got is rolled
        # back (the caller plays the turn again); otherwise append_message reads the last seq.
        if context.side is Side.BRAND and _guided_since(negotiation.pk, prepared.last_seq):
            raise _GuidedMeanwhile
        seq = None
    else:
        return _discard(negotiation.pk, token)
    for field, value in progress.items():
        setattr(negotiation, field, value)

    _record_calls(negotiation, turn, context.side, agent_turn.calls)
    move, side = agent_turn.move, context.side
    action, violations = move.action, list(agent_turn.violations)
    if action is Action.ACCEPT:
        problems = accept_problems(negotiation, prepared, side, move.terms)
        if problems == [NOTHING_ON_THE_TABLE]:  # the guardrails make this a REJECT; so do we
            action = Action.REJECT
            violations += problems
        elif problems:
            _fail(
                negotiation,
                f"The {side.value} agent accepted terms that are not an agreement "
                f"({'; '.join(problems)}); nothing was agreed.",
            )
            return TurnOutcome(negotiation.status)
    status_before = negotiation.status
    question_asked = action is Action.ASK_INFO and _take_question(negotiation.quote_id)
    question = move.question or ""
    if action is Action.ASK_INFO and not question_asked:
        # The budget ran out meanwhile: the question stays internal and unasked (no open
        # question without its text), and the brand moves again without an answer.
        violations.append(
            f"no questions to staff left: the brand goes on without asking {question!r}"
        )
        question = ""
    # How the supplier's standing offer sits against our limits.
    verdict = supplier_verdict(prepared, move) if side is Side.SUPPLIER else ""
    if side is Side.BRAND and context.guidance_notes:
        # How the brand applied staff guidance: for staff, beside the move, never in its text.
        append_message(
            negotiation,
            sender=Sender.SYSTEM,
            text="Staff guidance applied: " + " ".join(context.guidance_notes),
            seq=seq,
        )
        seq = seq and seq + 1
    append_message(
        negotiation,
        sender=Sender(side.value),
        action=action.value,
        text=agent_turn.text,
        terms=move.terms.to_dict() if move.terms and action is move.action else None,
        strategies=list(move.strategies),
        rationale=list(move.rationale),
        question=question,
        guardrail_violations=violations,
        verdict=verdict,
        seq=seq,
    )
    settle(
        negotiation,
        side=side,
        action=action,
        terms=move.terms,
        prepared=prepared,
        question_asked=question_asked,
        question=question,
        status_before=status_before,
    )
    return TurnOutcome(negotiation.status)
