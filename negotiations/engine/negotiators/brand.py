"""``BrandNegotiator``: negotiates for the buying brand."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from negotiations.engine.guardrails import (
    GuardrailResult,
    clamp_to_brand_limits,
    enforce_brand_limits,
)
from negotiations.engine.guidance import SUPPLIER_ASKS
from negotiations.engine.issue_weights import WeightFit
from negotiations.engine.moves import Action, Directive, Move, NegotiationState, Side
from negotiations.engine.negotiators.base import Negotiator, View, prior_scorer
from negotiations.engine.opponent import OpponentModel, OpponentTracker
from negotiations.engine.preferences import BrandPreferences
from negotiations.engine.profiles import BRAND_PROFILES, TEMPERAMENTS
from negotiations.engine.strategies import LARGE_ORDER_UNITS
from negotiations.engine.terms import CENT, PAYMENT_TERMS_DAYS, Terms
from negotiations.engine.utility import Scorer, brand_scorer

_BALANCED = TEMPERAMENTS["balanced"].weight_values
SUPPLIER_WEIGHTS_PRIOR = (_BALANCED[0], _BALANCED[1], _BALANCED[2], 0.0)
"""What the brand assumes of a supplier's issue weights before its offers show them
(``issue_weights`` learns them from there): our balanced temperament's for price, lead time
and payment terms, and nothing for warranty. No offer shows what warranty is worth to a
supplier (each offers its standard one, whether or not it cares), and any weight there makes a
warranty step look cheap to a brand that weighs warranty little: it gave up its warranty early,
for nothing where the supplier was indifferent."""


class BrandNegotiator(Negotiator):
    """Negotiates for the buying brand (moves first in every round)."""

    side = Side.BRAND
    price_direction = -1
    towards_them = (1, -1, -1)  # longer lead times, sooner payment, less warranty
    monotone = True

    def __init__(self, prefs: BrandPreferences, seed: int) -> None:
        super().__init__(seed)
        self.prefs = prefs
        self.scorer = brand_scorer(prefs)
        self.profile = BRAND_PROFILES[prefs.profile]
        self.price_limit = float(prefs.max_price)
        self._fit: tuple[OpponentTracker | None, WeightFit] | None = None
        """The supplier's learned weights, with the history digest (its tracker) they follow."""

    @property
    def currency(self) -> str:
        return self.prefs.currency

    def _clamp(self, terms: Terms, quantity: int) -> tuple[Terms | None, list[str]]:
        return clamp_to_brand_limits(terms, self.prefs)

    def _guard(self, move: Move, view: View, quantity: int) -> GuardrailResult:
        return enforce_brand_limits(move, self.prefs, view.opponent_standing)

    def _quantity(self, view: View) -> int:
        return self.prefs.quantity

    def _round_price(self, price: float) -> Decimal:
        return Decimal(repr(price)).quantize(CENT, ROUND_FLOOR)

    def _large_order(self, quantity: int) -> bool:
        return quantity >= LARGE_ORDER_UNITS

    def _competing_utility(self, state: NegotiationState) -> float | None:
        return self._best_acceptable(state.competing_offers)

    def _agreed_utility(self, state: NegotiationState) -> float | None:
        return self._best_acceptable(state.agreed_elsewhere)

    def _best_acceptable(self, offers: tuple[Terms, ...]) -> float | None:
        """What the best of ``offers`` inside our limits and reservation is worth to us."""
        if not offers:
            return None
        values = [u for o in offers if (u := self._acceptable(o, o.quantity)) is not None]
        return max(values, default=None)

    def _estimate_opponent(self, model: OpponentModel) -> Scorer:
        first = model.offers[0]
        first_price = float(first.unit_price)
        floor = model.projected_price
        if floor is None or floor >= first_price:
            floor = 0.8 * first_price
        # Its price utility is scored from its ask down to its projected price or our target,
        # whichever is lower: the prices in play reach our target, in a domain both sides score
        # alike our best price is its worst, and a narrower range would overrate what price is
        # worth to it.
        floor = min(floor, float(self.prefs.target_price))
        weights, pay = self._weight_fit(model).weights(_pay_ideal(model), floor)
        return prior_scorer(
            (*weights, 0.0),
            first_price,
            floor,
            lead=(first.lead_time_days, 0),
            pay=(pay, PAYMENT_TERMS_DAYS[-1]),
            # The scorer needs a range; under the prior warranty weighs nothing.
            warranty=(first.warranty_months, max(24, first.warranty_months + 12)),
        )

    def _weight_fit(self, model: OpponentModel) -> WeightFit:
        """The fit of the supplier's issue weights and payment ideal to ``model``'s offers
        (``issue_weights``), folding in only the offers it has not seen while the history
        digest (``_view``) goes on and ``model`` continues the offers it has seen."""
        kept = self._fit
        if kept is None or kept[0] is not self._tracker or not kept[1].follows(model.offers):
            prior = SUPPLIER_WEIGHTS_PRIOR[:3]
            fit = WeightFit(prior, model.offers[0], float(self.prefs.target_price))
            self._fit = (self._tracker, fit)
        fit = self._fit[1]
        for terms in model.offers[fit.count :]:
            fit.add(terms)
        return fit

    def _special_move(self, state: NegotiationState, view: View) -> Move | None:
        if state.directive is Directive.WALK_AWAY:
            return Move(
                Action.WALK_AWAY, strategies=("directive",), rationale=("Staff instruction.",)
            )
        if state.directive is Directive.ACCEPT_NOW:
            return self._accept_now(state, view)
        if view.opponent_last is not None and view.opponent_last.question:
            question = SUPPLIER_ASKS + view.opponent_last.question
            if state.questions_left > 0 and question not in _asked_questions(state):
                return _ask(question)
        least = self.prefs.least_quantity
        partial = [o for o in view.opponent.offers if o.quantity < least]
        if len(partial) >= 2:
            units = partial[-1].quantity
            question = (
                f"The supplier can supply only {units} of {self.prefs.quantity} units. "
                "Accept a partial order?"
            )
            if state.questions_left > 0 and question not in _asked_questions(state):
                return _ask(question)
            return Move(
                Action.WALK_AWAY,
                strategies=("zopa_estimate",),
                rationale=(f"They cannot supply the {self.prefs.quantity} units we need.",),
            )
        return None

    def _accept_now(self, state: NegotiationState, view: View) -> Move | None:
        standing = view.opponent_standing
        problems = (
            ["there is no supplier offer"]
            if standing is None
            else self._violations(standing, self.prefs.quantity)
        )
        if not problems:
            return Move(Action.ACCEPT, standing, ("directive",), ("Staff asked to accept.",))
        move = self._bargain(state, view, self.prefs.quantity)
        why = f"Staff asked to accept, but {'; '.join(problems)}."
        return Move(
            move.action, move.terms, ("directive", *move.strategies), (why, *move.rationale)
        )


def _pay_ideal(model: OpponentModel) -> int:
    """The payment terms the supplier likely wants, read from its offers.

    Its opening is only a lower bound: a supplier that treats every term up to some net days
    alike may open with any of them (net 0 as often as its real ideal). A later term it offers
    after opening is a concession, and concessions start next to the ideal: a supplier that
    gives net 60 is read as wanting net 45, not net 0. Without such an offer, its opening."""
    opening = model.offers[0].payment_terms_days
    later = [o.payment_terms_days for o in model.offers if o.payment_terms_days > opening]
    if not later:
        return opening
    bound = min(later)
    return max(opening, *(d for d in PAYMENT_TERMS_DAYS if d < bound))


def _asked_questions(state: NegotiationState) -> set[str]:
    return {
        t.move.question
        for t in state.history
        if t.side is Side.BRAND and t.move.action is Action.ASK_INFO and t.move.question
    }


def _ask(question: str) -> Move:
    return Move(
        Action.ASK_INFO,
        question=question,
        strategies=("ask_info",),
        rationale=("Our instructions do not cover this; asking our staff.",),
    )
