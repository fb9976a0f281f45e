"""Agent contexts for the tests, built from engine types (no database needed)."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from negotiations.agents import AgentContext, QuoteFacts, TranscriptLine, take_turn
from negotiations.engine import (
    Action,
    BrandPreferences,
    Move,
    NegotiationState,
    Side,
    SupplierPreferences,
    Terms,
    Turn,
    Weights,
)

QUOTE = QuoteFacts(
    product="Custom 500 ml amber glass bottle",
    description="Amber glass, screw neck.",
    quantity=5000,
    unit="bottles",
    currency="USD",
    requirements="Food-grade; palletised.",
    needed_by=date(2030, 1, 31),
)


def brand_prefs(**changes) -> BrandPreferences:
    prefs = BrandPreferences(
        quantity=QUOTE.quantity,
        target_price=Decimal("1.95"),
        max_price=Decimal("2.40"),
        max_lead_time_days=60,
        weights=Weights(0.5, 0.3, 0.2),
    )
    return dataclasses.replace(prefs, **changes)


def supplier_prefs(temperament: str = "balanced", **changes) -> SupplierPreferences:
    prefs = SupplierPreferences(
        cost_floor=Decimal("1.70"),
        list_price=Decimal("2.50"),
        fastest_lead_time_days=20,
        preferred_payment_terms_days=30,
        capacity=20000,
        temperament=temperament,
    )
    return dataclasses.replace(prefs, **changes)


def offer(price: str, **changes) -> Terms:
    terms = Terms(Decimal(price), QUOTE.quantity, 30, 30, 12)
    return terms.replace(**changes)


def context(
    side: Side = Side.BRAND,
    *,
    history: tuple[Turn, ...] = (),
    transcript: tuple[TranscriptLine, ...] = (),
    round_: int | None = None,
    max_rounds: int = 8,
    temperament: str = "balanced",
    seed: int = 7,
    **changes,
) -> AgentContext:
    """A context for ``side``; the round defaults to the one the history implies."""
    if round_ is None:
        round_ = (history[-1].round + (side is Side.BRAND)) if history else 1
    state_changes = {
        k: changes.pop(k)
        for k in ("competing_offers", "questions_left", "clarifications", "directive")
        if k in changes
    }
    ctx = AgentContext(
        side=side,
        turn=len(history) + 1,
        state=NegotiationState(round_, max_rounds, history, **state_changes),
        brand=brand_prefs(),
        supplier=supplier_prefs(temperament),
        quote=QUOTE,
        supplier_name="Amberline Glass",
        transcript=transcript,
        seed=seed,
    )
    return dataclasses.replace(ctx, **changes)


def after(side: Side, move: Move, round_: int) -> tuple[Turn, ...]:
    return (Turn(side, move, round_),)


def play(ctx: AgentContext, turns: int) -> list[tuple[AgentContext, object]]:
    """Play up to ``turns`` turns from ``ctx`` (alternating sides, brand first each round),
    growing the history and transcript; returns each (context, AgentTurn)."""
    played = []
    history, transcript = ctx.state.history, ctx.transcript
    side = ctx.side
    for _ in range(turns):
        round_ = (history[-1].round + (side is Side.BRAND)) if history else 1
        if round_ > ctx.state.max_rounds:
            break
        now = dataclasses.replace(
            ctx,
            side=side,
            turn=len(history) + 1,
            state=dataclasses.replace(ctx.state, round=round_, history=history),
            transcript=transcript,
        )
        result = take_turn(now)
        played.append((now, result))
        history = (*history, Turn(side, result.move, round_))
        line = TranscriptLine(
            seq=len(transcript) + 1,
            round=round_,
            sender=side.value,
            action=result.move.action.value,
            text=result.text,
            terms=result.move.terms,
        )
        transcript = (*transcript, line)
        if result.move.action in (Action.ACCEPT, Action.WALK_AWAY):
            break
        side = side.other
    return played
