"""The brand proposes one of the supplier's own offers back, while the supplier can still
answer, when that is worth at least what the brand would otherwise accept or offer: a
supplier that concedes over time takes an offer at least as good for it, on every issue, as
one it made itself."""

from dataclasses import replace
from decimal import Decimal

from negotiations.engine import (
    Action,
    BrandNegotiator,
    Move,
    NegotiationState,
    Side,
    Terms,
    brand_utility,
    play,
)
from tests.engine.scenarios import BRAND

OUTSIDE = Terms(Decimal("13.00"), BRAND.quantity, 20, 30, 12)
"""Beyond the brand's price limit (12.00)."""
GOOD = Terms(Decimal("11.00"), BRAND.quantity, 20, 30, 12)
"""Worth about 0.52 to the brand."""
POOR = Terms(Decimal("11.90"), BRAND.quantity, 20, 0, 12)
"""Less for the supplier than ``GOOD`` on payment terms, more on price; worth about 0.2 to the
brand."""


def at_least_as_good_for_supplier(ours: Terms, theirs: Terms) -> bool:
    return (
        ours.unit_price >= theirs.unit_price
        and ours.lead_time_days >= theirs.lead_time_days
        and ours.payment_terms_days <= theirs.payment_terms_days
        and ours.warranty_months <= theirs.warranty_months
    )


class Wanderer:
    """A supplier whose offers jump between packages, as agents bidding on a grid do: it
    offers ``offers`` in turn, and accepts an offer at least as good for it on every issue as
    one it made itself."""

    def __init__(self, *offers: Terms) -> None:
        self.offers = offers

    def respond(self, state: NegotiationState) -> Move:
        own = [t.move.terms for t in state.history if t.side is Side.SUPPLIER and t.move.terms]
        last = state.history[-1].move if state.history else None
        ours = last.terms if last is not None and last.action is Action.COUNTER else None
        if ours is not None and any(at_least_as_good_for_supplier(ours, o) for o in own):
            return Move(Action.ACCEPT, ours)
        return Move(Action.COUNTER, self.offers[min(len(own), len(self.offers) - 1)])


def brand_moves(played) -> list[Move]:
    return [t.move for t in played.turns if t.side is Side.BRAND]


def test_an_earlier_offer_of_theirs_worth_more_is_proposed_back_on_our_last_move() -> None:
    """We open rounds, so they can answer our last move: their latest offer clears our
    reservation, but an earlier one is worth more to us; we propose that one back instead of
    accepting, and they take it."""
    supplier = Wanderer(OUTSIDE, OUTSIDE, OUTSIDE, GOOD, POOR)
    played = play(BrandNegotiator(BRAND, 1), supplier, 6, brand_first=True)
    last = brand_moves(played)[-1]
    assert last.action is Action.COUNTER and "offer_back" in last.strategies
    assert played.terms == last.terms
    assert brand_utility(played.terms, BRAND) > brand_utility(POOR, BRAND) + 0.2


def test_it_is_proposed_back_instead_of_a_closing_offer_worth_less() -> None:
    """Their latest offer is beyond our limit; our closing offer would go as far as our
    reservation, but their earlier offer is worth more to us than that."""
    brand = replace(BRAND, reservation=0.3)
    supplier = Wanderer(OUTSIDE, OUTSIDE, OUTSIDE, GOOD, OUTSIDE)
    played = play(BrandNegotiator(brand, 1), supplier, 6, brand_first=True)
    last = brand_moves(played)[-1]
    assert "offer_back" in last.strategies
    assert played.terms is not None
    assert brand_utility(played.terms, brand) > brand_utility(GOOD, brand) - 0.05


def test_not_on_a_last_move_they_cannot_answer() -> None:
    """When they open rounds, our last move closes the negotiation: we accept their offer."""
    supplier = Wanderer(OUTSIDE, OUTSIDE, OUTSIDE, GOOD, POOR, POOR)
    played = play(BrandNegotiator(BRAND, 1), supplier, 6, brand_first=False)
    last = brand_moves(played)[-1]
    assert last.action is Action.ACCEPT and played.terms == POOR
    assert all("offer_back" not in m.strategies for m in brand_moves(played))


def test_what_costs_us_nothing_is_given_to_them() -> None:
    """Their offers have a lead time shorter than our ideal (15 days), which is worth no more
    to us than the ideal: on our last move we propose their latest back at 15 days, worth the
    same to us, instead of accepting it."""
    fast = replace(POOR, lead_time_days=10)
    supplier = Wanderer(replace(OUTSIDE, lead_time_days=10), fast)
    played = play(BrandNegotiator(BRAND, 1), supplier, 6, brand_first=True)
    last = brand_moves(played)[-1]
    assert last.action is Action.COUNTER and last.terms is not None
    assert last.terms.lead_time_days == BRAND.ideal_lead
    assert last.terms.unit_price == fast.unit_price
    assert brand_utility(last.terms, BRAND) == brand_utility(fast, BRAND)
    assert played.terms == last.terms


def test_a_price_under_our_target_is_never_raised_to_it() -> None:
    """Their answer to our opening is under our target price (10.00), with a lead time shorter
    than our ideal: we propose it back with our ideal lead time and their price. At our target
    it would pay more than they asked and tell them the target, exactly."""
    cheap = Terms(Decimal("9.50"), BRAND.quantity, 10, 90, 12)
    played = play(BrandNegotiator(BRAND, 1), Wanderer(cheap), 6, brand_first=True)
    assert all(
        m.terms is None or m.terms.unit_price <= cheap.unit_price for m in brand_moves(played)
    )
    assert played.terms == replace(cheap, lead_time_days=BRAND.ideal_lead)
