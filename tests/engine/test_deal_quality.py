"""Money left on the table (estimated from offers, known for simulated suppliers) and the
distance of an agreement to the Pareto frontier."""

from dataclasses import replace
from decimal import Decimal

import pytest

from negotiations.engine import (
    Terms,
    Weights,
    brand_utility,
    estimated_room,
    known_room,
    pareto_distance,
    pareto_gap,
    supplier_utility,
)
from negotiations.engine.deal_quality import CURVE, KNOWN, MAX_DISCOUNT_FROM_OPENING, PACE
from tests.engine.scenarios import BRAND, SUPPLIER, offer

MAX_ROUNDS = 10


def _steady_supplier(rounds: int) -> list[tuple[int, Terms]]:
    """Offers of a supplier conceding steadily from 13.00 towards 10.50 at the last round."""
    return [
        (r, offer(f"{13 - 2.5 * (r - 1) / (MAX_ROUNDS - 1):.2f}")) for r in range(1, rounds + 1)
    ]


def test_the_estimate_projects_a_steady_supplier_to_its_reservation() -> None:
    offers = _steady_supplier(7)  # its last offer 11.33; the brand's 11.20 was accepted
    room = estimated_room(offers, offer("11.20"), BRAND, MAX_ROUNDS)
    assert room is not None and room.method == CURVE
    assert room.floor == pytest.approx(10.50, abs=0.03)
    assert room.per_unit == pytest.approx(0.70, abs=0.03)
    assert room.low <= room.per_unit <= room.high


def test_with_few_offers_the_estimate_follows_the_suppliers_pace() -> None:
    offers = [(1, offer("13.00")), (3, offer("12.50"))]  # 0.50 in a quarter of the time
    room = estimated_room(offers, offer("12.00"), BRAND, 9)
    assert room is not None and room.method == PACE
    assert room.floor == pytest.approx(11.00)
    assert room.per_unit == pytest.approx(1.00)


def test_a_projection_below_the_prior_bound_is_held_at_it() -> None:
    offers = [(1, offer("13.00")), (2, offer("10.00"))]  # 3.00 in one round of nine
    room = estimated_room(offers, offer("10.00"), BRAND, 9)
    floor = 13 * (1 - MAX_DISCOUNT_FROM_OPENING)
    assert room is not None and room.floor == pytest.approx(floor)
    assert room.per_unit == pytest.approx(10 - floor)


def test_the_estimate_never_puts_the_floor_above_the_suppliers_lowest_offer() -> None:
    # Retreating: its price went up, and the brand agreed to its first offer.
    offers = [(1, offer("11.00")), (2, offer("11.40")), (3, offer("11.80"))]
    room = estimated_room(offers, offer("11.00"), BRAND, 9)
    assert room is not None and room.floor == pytest.approx(11.00) and room.per_unit == 0


def test_the_estimate_never_puts_the_floor_above_the_agreed_price() -> None:
    # Retreating from 11.00, it still accepted the brand's 10.80: it went that far.
    offers = [(1, offer("11.00")), (2, offer("11.40"))]
    room = estimated_room(offers, offer("10.80"), BRAND, 9)
    assert room is not None and room.floor == pytest.approx(10.80)
    assert room.per_unit == room.low == 0


def test_a_single_offer_gives_no_estimate() -> None:
    assert estimated_room([(1, offer("13.00"))], offer("13.00"), BRAND, 9) is None


def test_better_non_price_terms_in_an_offer_count_as_a_lower_price() -> None:
    # The same prices, but the second offer also moved from net 30 to net 90, which the brand
    # values: as a price at the agreed (net 30) terms, the supplier conceded more.
    plain = [(1, offer("13.00")), (3, offer("12.50"))]
    traded = [(1, offer("13.00")), (3, offer("12.50", pay=90))]
    agreed = offer("12.40")
    assert (
        estimated_room(traded, agreed, BRAND, 9).floor
        < estimated_room(plain, agreed, BRAND, 9).floor
    )


def test_a_simulated_suppliers_known_room_goes_down_to_its_cost_floor() -> None:
    room = known_room(offer("11.00"), SUPPLIER)
    assert room.method == KNOWN and room.floor == 9.0
    assert room.per_unit == room.low == room.high == pytest.approx(2.0)


def test_with_a_reservation_the_known_floor_is_where_the_terms_leave_the_supplier_at_it() -> None:
    supplier = replace(SUPPLIER, reservation=0.5)
    # Its fastest lead and the longest payment, worth nothing to it: the price must make up half.
    agreed = offer("14.00", lead=10, pay=90)
    room = known_room(agreed, supplier)
    assert room.floor > float(supplier.cost_floor)
    at_floor = agreed.replace(unit_price=Decimal(repr(room.floor)))
    assert supplier_utility(at_floor, supplier) == pytest.approx(0.5, abs=0.01)
    assert room.per_unit > 0 and room.per_unit == pytest.approx(14.0 - room.floor)


BRAND_WITH_WARRANTY = replace(BRAND, weights=Weights(0.5, 0.2, 0.2, 0.1))


def test_a_deal_both_sides_could_improve_on_is_off_the_pareto_frontier() -> None:
    # No warranty costs the brand utility and the supplier nothing it values (its best is its
    # standard 12 months or less): 12 months at a slightly higher price is better for both.
    dominated = Terms(Decimal("10.50"), 500, 20, 30, 0)
    gap = pareto_gap(dominated, BRAND_WITH_WARRANTY, SUPPLIER)
    point = (
        brand_utility(dominated, BRAND_WITH_WARRANTY),
        supplier_utility(dominated, SUPPLIER),
    )
    assert gap > 0.01
    assert gap == pareto_distance(point, BRAND_WITH_WARRANTY, SUPPLIER)


def test_the_brands_best_possible_deal_is_on_the_frontier() -> None:
    best = Terms(Decimal("10.00"), 500, 15, 90, 12)  # target price, ideal lead, net 90, warranty
    assert brand_utility(best, BRAND_WITH_WARRANTY) == pytest.approx(1.0)
    assert pareto_gap(best, BRAND_WITH_WARRANTY, SUPPLIER) == 0.0
