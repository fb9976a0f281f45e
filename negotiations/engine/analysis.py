"""Outcome-space analysis: ZOPA, Pareto frontier and Nash bargaining point.

The joint outcome space is sampled on a grid that contains every breakpoint of both sides'
piecewise-linear utilities (plus interior points), restricted to terms inside both sides' hard
limits.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from functools import lru_cache

from negotiations.engine.preferences import BrandPreferences, SupplierPreferences
from negotiations.engine.terms import PAYMENT_TERMS_DAYS
from negotiations.engine.utility import brand_scorer, supplier_scorer

Point = tuple[float, float]
"""(brand utility, supplier utility)"""
_PRICE_STEPS = 8


def _limits_overlap(brand: BrandPreferences, supplier: SupplierPreferences) -> bool:
    return (
        supplier.cost_floor <= brand.max_price
        and supplier.fastest_lead_time_days <= brand.max_lead_time_days
        and supplier.capacity >= brand.least_quantity
        and supplier.currency == brand.currency
    )


def _samples(lo: float, hi: float, marks: list[float], steps: int) -> list[float]:
    points = sorted({lo, hi, *(m for m in marks if lo <= m <= hi)})
    out = list(points)
    for a, b in itertools.pairwise(points):
        out += [a + (b - a) * k / steps for k in range(1, steps)]
    return out


@lru_cache(maxsize=256)
def outcome_grid(brand: BrandPreferences, supplier: SupplierPreferences) -> tuple[Point, ...]:
    """Utility pairs of sampled terms inside both sides' hard limits (empty if none)."""
    if not _limits_overlap(brand, supplier):
        return ()
    b, s = brand_scorer(brand), supplier_scorer(supplier)
    prices = _samples(
        float(supplier.cost_floor),
        float(brand.max_price),
        [float(brand.target_price), float(supplier.list_price)],
        _PRICE_STEPS,
    )
    leads = _samples(
        supplier.fastest_lead_time_days,
        brand.max_lead_time_days,
        [brand.ideal_lead, supplier.comfortable_lead],
        2,
    )
    warranties = sorted(
        {0, supplier.standard_warranty_months, supplier.max_warranty_months}
        | {min(brand.target_warranty_months, supplier.max_warranty_months)}
    )
    price_parts = [(b.price_part(p), s.price_part(p)) for p in prices]
    grid: list[Point] = []
    for lead in leads:
        for pay in PAYMENT_TERMS_DAYS:
            for warranty in warranties:
                rb, rs = b.rest(lead, pay, warranty), s.rest(lead, pay, warranty)  # type: ignore[arg-type]
                grid += [(pb + rb, ps + rs) for pb, ps in price_parts]
    return tuple(grid)


def frontier(points: Iterable[Point]) -> tuple[Point, ...]:
    """The non-dominated points among ``points``, by decreasing brand utility."""
    out: list[Point] = []
    best_supplier = -math.inf
    for ub, us in sorted(points, key=lambda p: (-p[0], -p[1])):
        if us > best_supplier + 1e-12:
            out.append((ub, us))
            best_supplier = us
    return tuple(out)


def frontier_distance(point: Point, front: Sequence[Point]) -> float:
    """Euclidean distance from ``point`` to ``front`` (0 if no point of it dominates ``point``)."""
    ub, us = point
    if not any(fb > ub + 1e-9 and fs > us + 1e-9 for fb, fs in front):
        return 0.0
    return min(math.hypot(fb - ub, fs - us) for fb, fs in front)


@lru_cache(maxsize=256)
def pareto_frontier(brand: BrandPreferences, supplier: SupplierPreferences) -> tuple[Point, ...]:
    """Non-dominated points of :func:`outcome_grid`, by decreasing brand utility."""
    return frontier(outcome_grid(brand, supplier))


def zopa_exists(brand: BrandPreferences, supplier: SupplierPreferences) -> bool:
    """Whether some terms satisfy both sides' hard limits and reservations."""
    return any(
        ub >= brand.reservation and us >= supplier.reservation
        for ub, us in pareto_frontier(brand, supplier)
    )


def pareto_distance(point: Point, brand: BrandPreferences, supplier: SupplierPreferences) -> float:
    """Euclidean distance from ``point`` to the Pareto frontier (0 if nothing dominates it)."""
    return frontier_distance(point, pareto_frontier(brand, supplier))


def nash_point(brand: BrandPreferences, supplier: SupplierPreferences) -> Point | None:
    """The frontier point maximising the product of both sides' gains over their
    reservations (None without a ZOPA)."""
    candidates = [
        (ub, us)
        for ub, us in pareto_frontier(brand, supplier)
        if ub >= brand.reservation and us >= supplier.reservation
    ]
    return max(
        candidates,
        key=lambda p: (p[0] - brand.reservation) * (p[1] - supplier.reservation),
        default=None,
    )
