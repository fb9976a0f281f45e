"""How good an agreed deal was for the brand: the room the supplier still had, and the distance
to the Pareto frontier.

*Room* is how far below the agreed unit price the supplier would still have gone with the agreed
non-price terms, per unit. Two ways to know it:

- :func:`estimated_room` reads it from the supplier's offers alone, which is all a real supplier
  shows us. Its offers, as price equivalents at the agreed terms (the brand scorer's
  conversion), go through the opponent model the brand agent bargains with: the concession
  curve fitted to them, projected to the last round, estimates the supplier's reservation price.
  With too few offers for that fit (the model leaves the two opening offers out and needs three
  more), the steady curve through its first and last offers stands in. A projection
  extrapolates, so it is held between two bounds: the supplier's lowest offer (it would surely
  have gone that far) and a prior, :data:`MAX_DISCOUNT_FROM_OPENING` below its opening offer.
- :func:`known_room` is exact for a simulated supplier, whose preferences we hold: the lowest
  price its hard limit and reservation allow with the agreed non-price terms.

:func:`pareto_gap` is the exact distance from the agreement's pair of utilities to the Pareto
frontier of the two sides' known preferences (0: no terms were better for both).
``python -m negotiations.engine.deal_quality_bench`` measures the estimate against the known room.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from negotiations.engine.analysis import pareto_distance
from negotiations.engine.moves import round_time
from negotiations.engine.opponent import model_opponent
from negotiations.engine.preferences import BrandPreferences, SupplierPreferences
from negotiations.engine.terms import Terms
from negotiations.engine.utility import (
    brand_scorer,
    brand_utility,
    supplier_scorer,
    supplier_utility,
)

CURVE = "curve"
"""Method: the opponent model's concession curve fitted to the supplier's offers."""
PACE = "pace"
"""Method: the supplier's steady pace between its first and last offers (too few for a fit)."""
KNOWN = "known"
"""Method: the simulated supplier's own limits."""
MAX_DISCOUNT_FROM_OPENING = 0.3
"""Prior: a supplier's floor is taken to be at most this far below its opening price (a
projection from a fast early concession would otherwise run towards zero)."""


@dataclass(frozen=True, slots=True)
class Room:
    """Room per unit below the agreed price: the best figure, and the range its bounds allow
    (all three equal when known), with the supplier's floor price it implies and how it was
    found."""

    per_unit: float
    low: float
    high: float
    floor: float
    method: str


def _room(agreed: Terms, floor: float, floor_range: tuple[float, float], method: str) -> Room:
    price = float(agreed.unit_price)
    return Room(
        per_unit=max(0.0, price - floor),
        low=max(0.0, price - max(floor_range)),
        high=max(0.0, price - min(floor_range)),
        floor=floor,
        method=method,
    )


def estimated_room(
    offers: Sequence[tuple[int, Terms]], agreed: Terms, brand: BrandPreferences, max_rounds: int
) -> Room | None:
    """The room the supplier's offers (``(round, terms)``, oldest first) suggest it still had
    at the agreement; None with fewer than two offers (one offer shows no pace)."""
    if len(offers) < 2:
        return None
    scorer = brand_scorer(brand)
    timed = [(round_time(round_, max_rounds), terms) for round_, terms in offers]
    prices = [scorer.price_equivalent(terms, agreed) for _, terms in timed]
    model = model_opponent(timed, lambda terms: scorer.price_equivalent(terms, agreed))
    if model.projected_price is not None:
        floor, method = model.projected_price, CURVE
    else:
        floor, method = _steady(timed[0][0], prices[0], timed[-1][0], prices[-1]), PACE
    # Not above its lowest offer or the agreed price (it went that far), nor further below its
    # opening offer than the prior allows.
    high = min(*prices, float(agreed.unit_price))
    low = min(high, max(0.0, prices[0] * (1 - MAX_DISCOUNT_FROM_OPENING)))
    return _room(agreed, min(max(floor, low), high), (low, high), method)


def _steady(t0: float, p0: float, t1: float, p1: float) -> float:
    """The price at the deadline (t = 1) of the line through two offers."""
    return p1 if t1 <= t0 else p1 + (p1 - p0) * (1 - t1) / (t1 - t0)


def known_room(agreed: Terms, supplier: SupplierPreferences) -> Room:
    """The exact room a simulated supplier had: down to its cost floor, or to the price at which
    the agreed non-price terms would leave it at its reservation, whichever is higher."""
    scorer = supplier_scorer(supplier)
    rest = scorer.rest(agreed.lead_time_days, agreed.payment_terms_days, agreed.warranty_months)
    # Between its cost floor and list price; None when not even its list price would do (it
    # had no room at all).
    floor = scorer.price_for(scorer.reservation, rest)
    if floor is None:
        floor = float(agreed.unit_price)
    return _room(agreed, floor, (floor, floor), KNOWN)


def pareto_gap(agreed: Terms, brand: BrandPreferences, supplier: SupplierPreferences) -> float:
    """Distance from the agreement's (brand, supplier) utilities to the Pareto frontier."""
    point = (brand_utility(agreed, brand), supplier_utility(agreed, supplier))
    return pareto_distance(point, brand, supplier)
