import pytest

from negotiations.engine import BrandNegotiator, Terms
from negotiations.engine.opponent import model_opponent
from negotiations.engine.utility import supplier_scorer
from tests.engine.scenarios import BRAND, SUPPLIER, offer


def _identity(terms: Terms) -> float:
    """Price equivalents for a side that cares only about price."""
    return float(terms.unit_price)


@pytest.mark.parametrize("beta", [1.0, 3.0])
def test_opponent_model_projects_a_time_based_opponent_to_its_reservation(beta: float) -> None:
    # A time-based opponent going from 20.00 down to its reservation of 12.00 at t = 1.
    times = [k / 9 for k in range(7)]
    offers = [(t, offer(f"{20 - 8 * t**beta:.2f}")) for t in times]
    model = model_opponent(offers, _identity)
    assert model.moved
    assert model.concession > 0
    assert model.projected_price == pytest.approx(12.0, abs=0.1)
    low, high = model.projected_range
    assert low <= model.projected_price <= high


def test_opponent_model_needs_offers_beyond_the_opening_ones_to_project() -> None:
    model = model_opponent([(0.0, offer("20.00")), (0.1, offer("19.00"))], _identity)
    assert model.projected_price is None and model.projected_range is None


def test_price_equivalents_count_better_terms_as_a_price_cut() -> None:
    scorer = supplier_scorer(SUPPLIER)  # prefers short payment terms
    reference = offer("12.00", pay=30)
    assert scorer.price_equivalent(offer("12.00", pay=90), reference) < 12.0


@pytest.mark.parametrize(("end", "down_to_target"), [(12.0, True), (8.0, False)])
def test_the_brand_scores_the_suppliers_price_from_its_ask_down_to_our_target_at_least(
    end: float, down_to_target: bool
) -> None:
    """The brand's estimate of the supplier's price utility runs from its ask down to its
    projected price (its reservation estimate), or to our target price (10.00) when that is
    lower: the prices in play span at least that range, and a narrower one would overrate
    what a unit of price is worth to the supplier."""
    brand = BrandNegotiator(BRAND, 1)
    times = [k / 9 for k in range(7)]
    offers = [(t, offer(f"{20 - (20 - end) * t:.2f}")) for t in times]
    model = model_opponent(offers, brand.scorer.price_value, brand.scorer.price_shift)
    assert model.projected_price == pytest.approx(end, abs=0.1)
    estimate = brand._estimate_opponent(model)
    assert estimate.price_best == 20.0
    expected = float(BRAND.target_price) if down_to_target else model.projected_price
    assert estimate.price_worst == pytest.approx(expected)
