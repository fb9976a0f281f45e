"""``SupplierNegotiator``: the simulated supplier."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from negotiations.engine.guardrails import (
    GuardrailResult,
    clamp_to_supplier_limits,
    enforce_supplier_limits,
)
from negotiations.engine.moves import Action, Move, NegotiationState, Side
from negotiations.engine.negotiators.base import Negotiator, View, prior_scorer
from negotiations.engine.opponent import OpponentModel
from negotiations.engine.preferences import SupplierPreferences
from negotiations.engine.profiles import TEMPERAMENTS
from negotiations.engine.terms import CENT, PAYMENT_TERMS_DAYS, Terms
from negotiations.engine.utility import Scorer, supplier_scorer

PARTIAL_SHIPMENTS_QUESTION = "Are partial shipments acceptable?"
QUESTION_RATE = 0.15
"""Share of negotiations (by seed) in which a supplier with enough capacity still asks."""
BRAND_WEIGHTS_PRIOR = (0.5, 0.3, 0.2, 0.0)
"""What the supplier assumes of the brand's issue weights."""


class SupplierNegotiator(Negotiator):
    """Simulated supplier; answers each brand move in the same round."""

    side = Side.SUPPLIER
    price_direction = 1
    towards_them = (-1, 1, 1)  # shorter lead times, later payment, more warranty

    def __init__(self, prefs: SupplierPreferences, seed: int) -> None:
        super().__init__(seed)
        self.prefs = prefs
        self.scorer = supplier_scorer(prefs)
        self.profile = TEMPERAMENTS[prefs.temperament]
        self.price_limit = float(prefs.cost_floor)

    @property
    def currency(self) -> str:
        return self.prefs.currency

    def _requested(self, view: View) -> int:
        brand_offer = view.opponent_standing
        return brand_offer.quantity if brand_offer is not None else self.prefs.capacity

    def _quantity(self, view: View) -> int:
        return max(1, min(self._requested(view), self.prefs.capacity))

    def _clamp(self, terms: Terms, quantity: int) -> tuple[Terms | None, list[str]]:
        return clamp_to_supplier_limits(terms, self.prefs, quantity)

    def _guard(self, move: Move, view: View, quantity: int) -> GuardrailResult:
        return enforce_supplier_limits(
            move, self.prefs, self._requested(view), view.opponent_standing
        )

    def _round_price(self, price: float) -> Decimal:
        return Decimal(repr(price)).quantize(CENT, ROUND_CEILING)

    def _large_order(self, quantity: int) -> bool:
        return quantity >= 0.4 * self.prefs.capacity

    def _estimate_opponent(self, model: OpponentModel) -> Scorer:
        first = model.offers[0]
        first_price = float(first.unit_price)
        cap = model.projected_price
        if cap is None or cap <= first_price:
            cap = 1.25 * first_price
        return prior_scorer(
            BRAND_WEIGHTS_PRIOR,
            first_price,
            cap,
            lead=(first.lead_time_days, max(model.seen("lead_time_days")) + first.lead_time_days),
            pay=(PAYMENT_TERMS_DAYS[-1], 0),
            warranty=(first.warranty_months, 0),
        )

    def _special_move(self, state: NegotiationState, view: View) -> Move | None:
        if self.prefs.capacity < 1:
            return Move(Action.WALK_AWAY, rationale=("We have no capacity for this order.",))
        short = self.prefs.capacity < self._requested(view)
        wants_to_ask = short or self._ask_draw < QUESTION_RATE
        ask_round = 2 + int(self._ask_draw * 10) % 2
        if (
            wants_to_ask
            and state.round >= ask_round
            and state.round < state.max_rounds - 1
            and not any(t.side is Side.SUPPLIER and t.move.question for t in state.history)
        ):
            reason = (
                f"We can ship {self.prefs.capacity} units now."
                if short
                else "Staggered deliveries would help our production plan."
            )
            return Move(Action.MESSAGE, question=PARTIAL_SHIPMENTS_QUESTION, rationale=(reason,))
        return None
