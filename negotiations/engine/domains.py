"""Negotiation settings for the classic-agent tournament, on two kinds of outcome space.

- **discrete**: a textbook multi-issue domain. A price grid, a list of lead times and our
  payment terms; linear utilities over the whole domain for both sides (each side's best value
  of an issue scores 1, the other side's best scores 0), random issue weights, a reservation
  value for each side, 20 rounds. The ranges these are drawn from are a :class:`DiscreteShape`;
  ``ROBUSTNESS_SHAPES`` changes one feature at a time (more or fewer rounds, higher
  reservations, other grids and weights).
- **ours**: Procur's own domain (``tournament.generate_scenarios``, the scenarios that have a
  zone of agreement): continuous prices inside each side's hard limits, the quote's lead-time
  limit, warranty; plus a reservation value for each side and random supplier weights. The
  classic agents bid on a grid of it (prices in 15 steps, five lead times, every payment term,
  the warranties either side names); the brand bids anywhere inside its limits.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from decimal import Decimal

from negotiations.engine.analysis import Point, frontier, outcome_grid, pareto_frontier
from negotiations.engine.classic import Ranking, Utility
from negotiations.engine.guardrails import brand_limit_violations, supplier_limit_violations
from negotiations.engine.preferences import BrandPreferences, SupplierPreferences
from negotiations.engine.terms import PAYMENT_TERMS_DAYS, Terms, money
from negotiations.engine.utility import brand_scorer, supplier_scorer
from negotiations.engine.weights import Weights

DISCRETE_ROUNDS = 20
LEAD_TIME_CHOICES = (3, 5, 7, 10, 14, 21, 28, 35, 45, 60)
GRID_PRICE_STEPS = 15


@dataclass(frozen=True)
class Scenario:
    brand: BrandPreferences
    """Brand preferences with the default profile; each tournament entry swaps the profile."""
    supplier: SupplierPreferences
    max_rounds: int
    seed: int


def generate_scenarios(count: int, seed: int = 7) -> list[Scenario]:
    """``count`` scenarios; even ones are built with a zone of agreement, odd ones without
    (price gap mostly, sometimes lead time or capacity). ZOPA is re-checked in the tally."""
    rng = random.Random(seed)
    return [_scenario(rng, with_zopa=i % 2 == 0, seed=seed * 100_003 + i) for i in range(count)]


def _scenario(rng: random.Random, *, with_zopa: bool, seed: int) -> Scenario:
    quantity = rng.choice((100, 250, 500, 1000, 2500, 5000))
    list_price = rng.uniform(5, 200)
    floor = list_price * rng.uniform(0.6, 0.85)
    fastest = rng.randint(5, 30)
    capacity = int(quantity * rng.uniform(1.2, 4))
    max_price = floor * rng.uniform(1.05, 1.4)
    max_lead = fastest + rng.randint(0, 40)
    if not with_zopa:
        kind = rng.random()
        if kind < 0.7:
            max_price = floor * rng.uniform(0.75, 0.97)
        elif kind < 0.85:
            max_lead = max(1, fastest - rng.randint(1, 4))
        else:
            capacity = int(quantity * rng.uniform(0.3, 0.9))
    weights = Weights(
        rng.uniform(0.4, 0.8), rng.uniform(0.1, 0.4), rng.uniform(0.05, 0.3), rng.uniform(0, 0.1)
    )
    brand = BrandPreferences(
        quantity=quantity,
        target_price=money(max_price * rng.uniform(0.75, 0.92)),
        max_price=money(max_price),
        max_lead_time_days=max_lead,
        weights=weights,
        ideal_lead_time_days=rng.randint(max_lead // 3, max_lead),
        target_warranty_months=rng.choice((12, 24)),
    )
    supplier = SupplierPreferences(
        cost_floor=money(floor),
        list_price=money(list_price),
        fastest_lead_time_days=fastest,
        preferred_payment_terms_days=rng.choice(PAYMENT_TERMS_DAYS[:4]),
        capacity=capacity,
    )
    return Scenario(brand, supplier, rng.randint(6, 14), seed)


@dataclass(frozen=True)
class Setting:
    """One bilateral setup: both sides' preferences, what the classic agents may offer, the
    Pareto frontier agreements are measured against, and the rounds."""

    domain: str
    brand: BrandPreferences
    supplier: SupplierPreferences
    outcomes: tuple[Terms, ...]
    front: tuple[Point, ...]
    max_rounds: int
    seed: int

    def buyer_utility(self) -> Utility:
        brand, scorer = self.brand, brand_scorer(self.brand)

        def utility(terms: Terms) -> float | None:
            return None if brand_limit_violations(terms, brand) else scorer.score_terms(terms)

        return utility

    def seller_utility(self) -> Utility:
        supplier, scorer, quantity = self.supplier, supplier_scorer(self.supplier), self.quantity

        def utility(terms: Terms) -> float | None:
            if supplier_limit_violations(terms, supplier, quantity):
                return None
            return scorer.score_terms(terms)

        return utility

    @property
    def quantity(self) -> int:
        return self.brand.quantity

    def rankings(self) -> tuple[Ranking, Ranking]:
        """(buyer's, seller's) ranking of the outcomes."""
        return (
            Ranking.build(self.buyer_utility(), self.outcomes, self.brand.reservation),
            Ranking.build(self.seller_utility(), self.outcomes, self.supplier.reservation),
        )


@dataclass(frozen=True)
class DiscreteShape:
    """The ranges the discrete domain draws a setting from (each pair is a low and a high
    bound). The default is the bench's; the robustness shapes (:data:`ROBUSTNESS_SHAPES`) each
    change one feature of it."""

    name: str = "the bench's"
    rounds: int = DISCRETE_ROUNDS
    """The rounds of every negotiation."""
    reservations: tuple[float, float] = (0.0, 0.35)
    """Each side's reservation value."""
    price_steps: tuple[int, int] = (8, 15)
    """How many prices the grid has (at least 2; rounding to cents may merge a few)."""
    price_spread: tuple[float, float] = (1.15, 1.6)
    """The highest price of the grid as a multiple of the lowest."""
    lead_times: tuple[int, int] = (3, 6)
    """How many of ``LEAD_TIME_CHOICES`` a setting offers."""
    quantities: tuple[int, ...] = (100, 500, 1000, 5000)
    """The order sizes, one drawn per setting."""
    supplier_payment: tuple[int, ...] = (0, 0, 30)
    """The supplier's preferred payment terms, one drawn per setting."""
    buyer_price_weight: tuple[float, float] = (0.35, 0.75)
    """The buyer's price weight before normalising (lead time 0.1-0.4, payment 0.05-0.3)."""
    seller_price_weight: tuple[float, float] = (0.3, 0.75)
    """The seller's, likewise."""

    def __post_init__(self) -> None:
        if self.price_steps[0] < 2 or not 1 <= self.lead_times[0] <= self.lead_times[1]:
            raise ValueError(f"{self.name}: a grid needs 2 prices and 1 lead time at least")
        if self.lead_times[1] > len(LEAD_TIME_CHOICES) or not self.quantities:
            raise ValueError(f"{self.name}: more lead times than choices, or no order size")


DISCRETE = DiscreteShape()
ROBUSTNESS_SHAPES = (
    DISCRETE,
    DiscreteShape("every order 5,000 units", quantities=(5000,)),
    DiscreteShape("10 rounds", rounds=10),
    DiscreteShape("40 rounds", rounds=40),
    DiscreteShape("reservations 0.2-0.6", reservations=(0.2, 0.6)),
    DiscreteShape("20-40 prices", price_steps=(20, 40)),
    DiscreteShape("4-6 prices, 2-3 lead times", price_steps=(4, 6), lead_times=(2, 3)),
    DiscreteShape("prices spread 1.6-3x", price_spread=(1.6, 3.0)),
    DiscreteShape("supplier prefers any payment term", supplier_payment=PAYMENT_TERMS_DAYS),
    DiscreteShape("buyer price weight 0.15-0.45", buyer_price_weight=(0.15, 0.45)),
    DiscreteShape("seller price weight 0.6-0.95", seller_price_weight=(0.6, 0.95)),
)
"""The bench's discrete domain and shapes unlike it, one feature changed at a time (the grid's
size is one): what the default profile's margin over the classic buyers looks like on a domain
we have not tuned on."""


def discrete_settings(count: int, seed: int = 11, shape: DiscreteShape = DISCRETE) -> list[Setting]:
    """``count`` settings drawn from ``shape``'s ranges; the same for the same seed."""
    rng = random.Random(seed)
    return [_discrete(rng, seed * 100_019 + i, shape) for i in range(count)]


def _weights(rng: random.Random, price: tuple[float, float]) -> Weights:
    return Weights(rng.uniform(*price), rng.uniform(0.1, 0.4), rng.uniform(0.05, 0.3))


def _discrete(rng: random.Random, seed: int, shape: DiscreteShape) -> Setting:
    low = rng.uniform(1, 100)
    high = low * rng.uniform(*shape.price_spread)
    steps = rng.randint(*shape.price_steps)
    prices = sorted({money(low + (high - low) * k / (steps - 1)) for k in range(steps)})
    leads = sorted(rng.sample(LEAD_TIME_CHOICES, rng.randint(*shape.lead_times)))
    quantity = rng.choice(shape.quantities)
    brand = BrandPreferences(
        quantity=quantity,
        target_price=prices[0],
        max_price=prices[-1],
        max_lead_time_days=leads[-1],
        ideal_lead_time_days=leads[0],
        weights=_weights(rng, shape.buyer_price_weight),
        reservation=rng.uniform(*shape.reservations),
        target_warranty_months=12,
    )
    supplier = SupplierPreferences(
        cost_floor=prices[0],
        list_price=prices[-1],
        fastest_lead_time_days=leads[0],
        comfortable_lead_time_days=leads[-1],
        preferred_payment_terms_days=rng.choice(shape.supplier_payment),
        capacity=quantity * 10,
        weights=_weights(rng, shape.seller_price_weight),
        reservation=rng.uniform(*shape.reservations),
        standard_warranty_months=12,
        max_warranty_months=12,
    )
    outcomes = tuple(
        Terms(price, quantity, lead, pay, 12)
        for price in prices
        for lead in leads
        for pay in PAYMENT_TERMS_DAYS
    )
    setting = Setting("discrete", brand, supplier, outcomes, (), shape.rounds, seed)
    buyer, seller = setting.buyer_utility(), setting.seller_utility()
    points = [(buyer(o) or 0.0, seller(o) or 0.0) for o in outcomes]
    return replace(setting, front=frontier(points))


def our_settings(
    brands_and_suppliers: list[tuple[BrandPreferences, SupplierPreferences, int, int]],
    seed: int = 13,
) -> list[Setting]:
    """Settings on our domain from ``(brand, supplier, max_rounds, seed)`` scenarios that have
    a zone of agreement, each side given a reservation value and the supplier random weights."""
    rng = random.Random(seed)
    out: list[Setting] = []
    for brand, supplier, rounds, scenario_seed in brands_and_suppliers:
        brand = replace(brand, reservation=rng.uniform(0.0, 0.3))
        supplier = replace(
            supplier, weights=_weights(rng, (0.3, 0.75)), reservation=rng.uniform(0.0, 0.3)
        )
        if not outcome_grid(brand, supplier):
            continue
        out.append(
            Setting(
                "ours",
                brand,
                supplier,
                _our_grid(brand, supplier),
                pareto_frontier(brand, supplier),
                rounds,
                scenario_seed,
            )
        )
    return out


def _our_grid(brand: BrandPreferences, supplier: SupplierPreferences) -> tuple[Terms, ...]:
    low = min(brand.target_price, supplier.cost_floor)
    high = max(brand.max_price, supplier.list_price)
    prices = sorted(
        {
            money(low + (high - low) * Decimal(k) / GRID_PRICE_STEPS)
            for k in range(GRID_PRICE_STEPS + 1)
        }
        | {brand.max_price, supplier.cost_floor}
    )
    fastest, limit = supplier.fastest_lead_time_days, brand.max_lead_time_days
    leads = sorted(
        {fastest, brand.ideal_lead, limit, (fastest + limit) // 2, supplier.comfortable_lead}
    )
    warranties = sorted(
        {
            supplier.standard_warranty_months,
            brand.target_warranty_months,
            supplier.max_warranty_months,
        }
    )
    return tuple(
        Terms(price, brand.quantity, lead, pay, warranty, brand.currency)
        for price in prices
        for lead in leads
        for pay in PAYMENT_TERMS_DAYS
        for warranty in warranties
    )
