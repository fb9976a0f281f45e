from decimal import Decimal

import pytest
from hypothesis import given

from negotiations.engine import (
    BrandPreferences,
    SupplierPreferences,
    Terms,
    Verdict,
    Weights,
    brand_utility,
    referee,
    supplier_utility,
    zopa_exists,
)
from tests.engine.generators import brand_prefs, supplier_prefs, terms

BRAND = BrandPreferences(
    quantity=100,
    target_price=Decimal("10.00"),
    max_price=Decimal("12.00"),
    max_lead_time_days=40,
    ideal_lead_time_days=20,
    weights=Weights(0.6, 0.2, 0.2),
)
SUPPLIER = SupplierPreferences(
    cost_floor=Decimal("9.00"),
    list_price=Decimal("14.00"),
    fastest_lead_time_days=10,
    preferred_payment_terms_days=30,
    capacity=500,
)


def _offer(price: str, lead: int = 20, pay: int = 90, warranty: int = 12) -> Terms:
    return Terms(Decimal(price), 100, lead, pay, warranty)


def test_brand_utility_is_one_at_its_ideal_and_zero_at_its_limits() -> None:
    assert brand_utility(_offer("10.00"), BRAND) == pytest.approx(1.0)
    assert brand_utility(_offer("12.00", lead=40, pay=0), BRAND) == pytest.approx(0.0)


def test_supplier_utility_is_one_at_list_price_and_zero_at_its_floor() -> None:
    assert supplier_utility(_offer("14.00", lead=27, pay=30), SUPPLIER) == pytest.approx(1.0)
    assert supplier_utility(_offer("9.00", lead=10, pay=90, warranty=24), SUPPLIER) == 0.0


@given(terms(), brand_prefs(), supplier_prefs())
def test_utilities_stay_in_the_unit_interval(
    t: Terms, brand: BrandPreferences, supplier: SupplierPreferences
) -> None:
    assert 0.0 <= brand_utility(t, brand) <= 1.0 + 1e-9
    assert 0.0 <= supplier_utility(t, supplier) <= 1.0 + 1e-9


def test_weights_normalise_to_one() -> None:
    w = Weights(2, 1, 1).normalised()
    assert (w.price, w.lead_time, w.payment_terms, w.warranty) == (0.5, 0.25, 0.25, 0.0)


@pytest.mark.parametrize(
    ("offer", "verdict"),
    [
        (_offer("9.50", lead=15), Verdict.PASS),
        (_offer("10.00", lead=20), Verdict.PASS),
        (_offer("11.00", lead=20), Verdict.NEUTRAL),
        (_offer("10.00", lead=30), Verdict.NEUTRAL),
        (_offer("12.01", lead=20), Verdict.FAIL),
        (_offer("10.00", lead=41), Verdict.FAIL),
        (None, Verdict.FAIL),
    ],
)
def test_referee_grades_the_supplier_offer_per_issue(offer: Terms | None, verdict: Verdict) -> None:
    assert referee(offer, BRAND) is verdict


def test_referee_fails_a_partial_quantity() -> None:
    assert referee(_offer("9.00").replace(quantity=50), BRAND) is Verdict.FAIL


def test_zopa_needs_overlapping_price_lead_time_and_capacity() -> None:
    assert zopa_exists(BRAND, SUPPLIER)
    pricey = SupplierPreferences(**{**SUPPLIER.__dict__, "cost_floor": Decimal("12.01")})
    slow = SupplierPreferences(**{**SUPPLIER.__dict__, "fastest_lead_time_days": 41})
    small = SupplierPreferences(**{**SUPPLIER.__dict__, "capacity": 99})
    assert not any(zopa_exists(BRAND, s) for s in (pricey, slow, small))
