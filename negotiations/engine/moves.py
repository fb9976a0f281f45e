"""Moves, turns and the negotiation state a negotiator responds to."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from negotiations.engine.terms import Terms


class Action(StrEnum):
    PROPOSE = "propose"
    COUNTER = "counter"
    ACCEPT = "accept"
    REJECT = "reject"
    ASK_INFO = "ask_info"
    """A question for the brand's own staff (never sent to the supplier)."""
    WALK_AWAY = "walk_away"
    MESSAGE = "message"


OFFER_ACTIONS = frozenset({Action.PROPOSE, Action.COUNTER})
CLOSING_ACTIONS = frozenset({Action.ACCEPT, Action.WALK_AWAY})


class Side(StrEnum):
    BRAND = "brand"
    SUPPLIER = "supplier"

    @property
    def other(self) -> Side:
        return Side.SUPPLIER if self is Side.BRAND else Side.BRAND


class Directive(StrEnum):
    """Staff orders applied on the brand's next move."""

    ACCEPT_NOW = "accept_now"
    WALK_AWAY = "walk_away"


@dataclass(frozen=True, slots=True)
class Move:
    """One side's action. ``terms`` is set for offers and accepts (the accepted terms).

    ``strategies`` are the ids of the strategies that shaped the move, ``rationale`` short
    human-readable bullets, ``violations`` what the guardrails corrected (empty normally).
    """

    action: Action
    terms: Terms | None = None
    strategies: tuple[str, ...] = ()
    rationale: tuple[str, ...] = ()
    question: str | None = None
    violations: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action.value,
            "terms": self.terms.to_dict() if self.terms else None,
            "strategies": list(self.strategies),
            "rationale": list(self.rationale),
            "question": self.question,
            "violations": list(self.violations),
        }

    @classmethod
    def from_dict(cls, data: Any) -> Move:
        if not isinstance(data, dict):
            raise ValueError(f"move must be a dict, got {type(data).__name__}")
        try:
            action = Action(data.get("action"))
        except ValueError as exc:
            raise ValueError(f"move.action is not one of {[a.value for a in Action]}") from exc
        terms = data.get("terms")
        question = data.get("question")
        if question is not None and not isinstance(question, str):
            raise ValueError("move.question must be a string or null")
        return cls(
            action=action,
            terms=Terms.from_dict(terms) if terms is not None else None,
            strategies=_str_tuple(data, "strategies"),
            rationale=_str_tuple(data, "rationale"),
            question=question,
            violations=_str_tuple(data, "violations"),
        )


def _str_tuple(data: dict[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key, ())
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"move.{key} must be a list of strings")
    return tuple(value)


@dataclass(frozen=True, slots=True)
class Turn:
    side: Side
    move: Move
    round: int

    def to_dict(self) -> dict[str, Any]:
        return {"side": self.side.value, "move": self.move.to_dict(), "round": self.round}

    @classmethod
    def from_dict(cls, data: Any) -> Turn:
        if not isinstance(data, dict):
            raise ValueError("turn must be a dict")
        try:
            side = Side(data.get("side"))
        except ValueError as exc:
            raise ValueError("turn.side must be 'brand' or 'supplier'") from exc
        rnd = data.get("round")
        if isinstance(rnd, bool) or not isinstance(rnd, int) or rnd < 1:
            raise ValueError("turn.round must be a positive int")
        return cls(side=side, move=Move.from_dict(data.get("move")), round=rnd)


@dataclass(frozen=True, slots=True)
class NegotiationState:
    """What a negotiator sees when asked for its move.

    ``round`` is 1-based and is the round being played; the brand moves first in each round.
    ``competing_offers`` are the best standing supplier offers of the quote's *other*
    negotiations (only the brand uses them); ``agreed_elsewhere`` those of them that are deals
    agreed there (a running negotiation's offer only caps the brand's concessions; an agreed
    deal worth more than the brand's own standing offer makes it walk away rather than leave
    that offer open). ``questions_left`` is how many ASK_INFO questions
    the brand may still put to its staff; ``clarifications`` are staff answers so far.
    """

    round: int
    max_rounds: int
    history: tuple[Turn, ...] = ()
    competing_offers: tuple[Terms, ...] = ()
    questions_left: int = 0
    clarifications: tuple[str, ...] = ()
    directive: Directive | None = None
    agreed_elsewhere: tuple[Terms, ...] = ()

    def __post_init__(self) -> None:
        if self.max_rounds < 1 or not 1 <= self.round <= self.max_rounds:
            raise ValueError(f"round {self.round} outside 1..{self.max_rounds}")


def round_time(round_: int, max_rounds: int) -> float:
    """Negotiation time in [0, 1] of a move in ``round_`` (1-based): 0 in the first round, 1 in
    the last."""
    return 1.0 if max_rounds <= 1 else (round_ - 1) / (max_rounds - 1)


def standing_offer(history: tuple[Turn, ...], side: Side) -> Terms | None:
    """The latest terms ``side`` put on the table (PROPOSE or COUNTER), or None."""
    for turn in reversed(history):
        if turn.side is side and turn.move.action in OFFER_ACTIONS:
            return turn.move.terms
    return None
