"""The alternating-offers protocol between any two negotiators, either side opening.

:func:`simulate` is the brand-first special case with our own two negotiators; the tournament
uses :func:`play` to seat classic agents in either seat and to try both opening orders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from negotiations.engine.moves import Action, Move, NegotiationState, Side, Turn, standing_offer
from negotiations.engine.terms import Terms


class Negotiates(Protocol):
    def respond(self, state: NegotiationState) -> Move: ...


@dataclass(frozen=True, slots=True)
class Played:
    """A finished negotiation: the agreed terms (None without a deal) and every turn."""

    terms: Terms | None
    turns: tuple[Turn, ...]


def play(
    brand: Negotiates,
    supplier: Negotiates,
    max_rounds: int,
    *,
    brand_first: bool = True,
    competing_offers: Sequence[Terms] = (),
) -> Played:
    """Alternate moves for ``max_rounds`` rounds, the opener moving first in each round, until
    one side accepts the other's latest offer or walks away. An accept of anything other than
    the latest offer ends the negotiation without a deal."""
    order = (Side.BRAND, Side.SUPPLIER) if brand_first else (Side.SUPPLIER, Side.BRAND)
    seats = {Side.BRAND: brand, Side.SUPPLIER: supplier}
    competing = tuple(competing_offers)
    turns: list[Turn] = []
    for round_ in range(1, max_rounds + 1):
        for side in order:
            history = tuple(turns)
            state = NegotiationState(
                round=round_,
                max_rounds=max_rounds,
                history=history,
                competing_offers=competing if side is Side.BRAND else (),
            )
            move = seats[side].respond(state)
            turns.append(Turn(side, move, round_))
            if move.action is Action.ACCEPT:
                standing = standing_offer(history, side.other)
                agreed = standing if standing is not None and move.terms == standing else None
                return Played(agreed, tuple(turns))
            if move.action is Action.WALK_AWAY:
                return Played(None, tuple(turns))
    return Played(None, tuple(turns))
