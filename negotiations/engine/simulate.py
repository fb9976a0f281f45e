"""Whole bilateral negotiations between a :class:`BrandNegotiator` and a
:class:`SupplierNegotiator`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from negotiations.engine.moves import OFFER_ACTIONS, Action, Move, NegotiationState, Side, Turn
from negotiations.engine.negotiators import BrandNegotiator, SupplierNegotiator
from negotiations.engine.preferences import BrandPreferences, SupplierPreferences
from negotiations.engine.referee import Verdict, referee
from negotiations.engine.terms import Terms


class Outcome(StrEnum):
    AGREED = "agreed"
    IMPASSE = "impasse"
    """The last round ended without agreement."""
    WALKED_AWAY = "walked_away"


@dataclass(frozen=True, slots=True)
class Transcript:
    """A finished negotiation. ``verdicts[i]`` grades the supplier's standing offer after
    round ``i + 1``; ``walked_away_by`` is set when the outcome is WALKED_AWAY."""

    turns: tuple[Turn, ...]
    outcome: Outcome
    final_terms: Terms | None
    rounds: int
    verdicts: tuple[Verdict, ...]
    walked_away_by: Side | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "turns": [t.to_dict() for t in self.turns],
            "outcome": self.outcome.value,
            "final_terms": self.final_terms.to_dict() if self.final_terms else None,
            "rounds": self.rounds,
            "verdicts": [v.value for v in self.verdicts],
            "walked_away_by": self.walked_away_by.value if self.walked_away_by else None,
        }


def simulate(
    brand_prefs: BrandPreferences,
    supplier_prefs: SupplierPreferences,
    max_rounds: int,
    seed: int,
) -> Transcript:
    """Play a negotiation to agreement, walk-away or ``max_rounds``; deterministic in ``seed``."""
    brand = BrandNegotiator(brand_prefs, seed)
    supplier = SupplierNegotiator(supplier_prefs, seed + 1)
    turns: tuple[Turn, ...] = ()
    verdicts: list[Verdict] = []
    supplier_offer: Terms | None = None  # standing_offer(turns, Side.SUPPLIER), kept up to date
    for round_ in range(1, max_rounds + 1):
        for negotiator in (brand, supplier):
            state = NegotiationState(round=round_, max_rounds=max_rounds, history=turns)
            move: Move = negotiator.respond(state)
            turns = (*turns, Turn(negotiator.side, move, round_))
            if move.action in OFFER_ACTIONS:
                if negotiator is supplier:
                    supplier_offer = move.terms
                continue
            if move.action is Action.ACCEPT:
                verdicts.append(referee(move.terms, brand_prefs))
                return Transcript(turns, Outcome.AGREED, move.terms, round_, tuple(verdicts))
            if move.action is Action.WALK_AWAY:
                verdicts.append(referee(supplier_offer, brand_prefs))
                return Transcript(
                    turns, Outcome.WALKED_AWAY, None, round_, tuple(verdicts), negotiator.side
                )
        verdicts.append(referee(supplier_offer, brand_prefs))
    return Transcript(turns, Outcome.IMPASSE, None, max_rounds, tuple(verdicts))
