"""The brand's concessions read sensibly and respect a better deal elsewhere."""

import itertools
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiations.engine import (
    BRAND_PROFILES,
    CLASSIC_AGENTS,
    DEFAULT_BRAND_PROFILE,
    Action,
    BrandNegotiator,
    BrandPreferences,
    Move,
    NegotiationState,
    Side,
    SupplierNegotiator,
    SupplierPreferences,
    Terms,
    Turn,
    Weights,
    brand_utility,
    play,
    supplier_utility,
)
from negotiations.engine.domains import discrete_settings, our_settings
from negotiations.engine.negotiators.base import View
from negotiations.engine.opponent import model_opponent
from negotiations.engine.strategies import MIN_STEP
from tests.engine.generators import brand_prefs, supplier_prefs
from tests.engine.scenarios import BRAND, SUPPLIER, offer


def brand_offers(turns: tuple[Turn, ...]) -> list[Terms]:
    return [
        t.move.terms
        for t in turns
        if t.side is Side.BRAND
        and t.move.action in (Action.PROPOSE, Action.COUNTER)
        and t.move.terms is not None
    ]


def assert_each_issue_moves_one_way(offers: list[Terms], supplier: SupplierPreferences) -> None:
    """Price and lead time only go up, payment terms and warranty only down (each towards
    the supplier), so no offer is worth less to the supplier than the one before."""
    for before, after in itertools.pairwise(offers):
        assert after.unit_price >= before.unit_price
        assert after.lead_time_days >= before.lead_time_days
        assert after.payment_terms_days <= before.payment_terms_days
        assert after.warranty_months <= before.warranty_months
        assert supplier_utility(after, supplier) >= supplier_utility(before, supplier) - 1e-9


@settings(max_examples=150, deadline=None)
@given(
    brand_prefs(),
    supplier_prefs(),
    st.sampled_from(sorted(BRAND_PROFILES)),
    st.integers(2, 20),
    st.booleans(),
    st.integers(0, 2**32),
)
def test_brand_concessions_move_each_issue_one_way_against_our_suppliers(
    brand: BrandPreferences,
    supplier: SupplierPreferences,
    profile: str,
    rounds: int,
    brand_first: bool,
    seed: int,
) -> None:
    brand = replace(brand, profile=profile)
    played = play(
        BrandNegotiator(brand, seed),
        SupplierNegotiator(supplier, seed + 1),
        rounds,
        brand_first=brand_first,
    )
    assert_each_issue_moves_one_way(brand_offers(played.turns), supplier)


def test_brand_concessions_move_each_issue_one_way_against_classic_sellers() -> None:
    for setting in discrete_settings(4, seed=3):
        _, seller_ranking = setting.rankings()
        for name, agent in CLASSIC_AGENTS.items():
            for brand_first in (True, False):
                played = play(
                    BrandNegotiator(setting.brand, setting.seed),
                    agent(Side.SUPPLIER, seller_ranking, seed=setting.seed),
                    setting.max_rounds,
                    brand_first=brand_first,
                )
                offers = brand_offers(played.turns)
                assert len(offers) >= 2, name
                assert_each_issue_moves_one_way(offers, setting.supplier)


@pytest.mark.parametrize("quantity", [500, 1000, 2000])
def test_every_adaptive_offer_is_new(quantity: int) -> None:
    """MiCRO and tit-for-tat suppliers only move when we do: the default profile never
    repeats itself while it has room, even against a seller that repeats itself, and on a
    large order too (1,000 units or more, where a volume premium once held its early offers)."""
    brand = replace(BRAND, quantity=quantity)
    setting = our_settings([(brand, SUPPLIER, 10, 1)])[0]
    micro = CLASSIC_AGENTS["micro"](Side.SUPPLIER, setting.rankings()[1], seed=1)
    offers = brand_offers(play(BrandNegotiator(brand, 1), micro, 10).turns)
    assert len(offers) >= 8
    assert len(set(offers)) == len(offers)


COMPETING = offer("11.00", lead=15, pay=60)
"""A competing offer worth about half the brand's range."""


@pytest.mark.parametrize("temperament", ["hardball", "balanced", "flexible", "relationship"])
@pytest.mark.parametrize("brand_first", [True, False])
def test_another_negotiations_offer_caps_the_brands_concessions(
    temperament: str, brand_first: bool
) -> None:
    """Seen in the browser: 1.79 agreed elsewhere, and the brand kept conceding to 2.30. Now
    no offer (and no acceptance) is worth less to the brand than the competing terms."""
    assert BRAND.profile == DEFAULT_BRAND_PROFILE
    floor = brand_utility(COMPETING, BRAND)
    supplier = replace(SUPPLIER, temperament=temperament)

    def run(competing: tuple[Terms, ...]) -> tuple[Turn, ...]:
        brand, seller = BrandNegotiator(BRAND, 5), SupplierNegotiator(supplier, 3)
        return play(brand, seller, 10, brand_first=brand_first, competing_offers=competing).turns

    for turn in run((COMPETING,)):
        if turn.side is Side.BRAND and turn.move.terms is not None:
            assert brand_utility(turn.move.terms, BRAND) >= floor - 1e-9
    # Without the competing offer the same negotiation goes past it: the cap is what held.
    alone = run(())
    assert min(brand_utility(t.move.terms, BRAND) for t in alone if t.move.terms) < floor


def _late_better_deal() -> tuple[tuple[Turn, ...], Terms, Terms]:
    """Five rounds against a hardball supplier, the brand's standing offer, and terms worth
    more to the brand than that offer, arriving from another negotiation."""
    seller = SupplierNegotiator(replace(SUPPLIER, temperament="hardball"), 3)
    history = tuple(t for t in play(BrandNegotiator(BRAND, 5), seller, 10).turns if t.round <= 5)
    previous = brand_offers(history)[-1]
    better = offer("10.00", lead=15, pay=90)
    assert brand_utility(better, BRAND) > brand_utility(previous, BRAND)
    return history, previous, better


def test_a_better_running_offer_elsewhere_arriving_late_stops_further_concessions() -> None:
    """A running negotiation's offer is only a cap, and a concession cannot be taken back: the
    brand holds its previous offer."""
    history, previous, better = _late_better_deal()
    move = BrandNegotiator(BRAND, 5).respond(
        NegotiationState(6, 10, history, competing_offers=(better,))
    )
    assert move.action is Action.COUNTER and move.terms == previous


def test_a_better_deal_agreed_elsewhere_makes_the_brand_walk_away() -> None:
    """Seen in the product: the brand kept holding 2.03 after another negotiation agreed at
    1.97, and the supplier then accepted 2.03. With a better deal agreed elsewhere the brand
    withdraws its offer on its next move instead of leaving it open."""
    history, _, better = _late_better_deal()
    move = BrandNegotiator(BRAND, 5).respond(
        NegotiationState(6, 10, history, competing_offers=(better,), agreed_elsewhere=(better,))
    )
    assert move.action is Action.WALK_AWAY
    assert "agreed elsewhere" in move.rationale[0]


def test_a_worse_deal_agreed_elsewhere_only_caps_the_brands_concessions() -> None:
    """An agreed deal worth less than what the brand can still get here changes nothing but
    the cap: the brand keeps negotiating."""
    history, previous, _ = _late_better_deal()
    worse = offer("12.50", lead=15, pay=30)
    assert brand_utility(worse, BRAND) < brand_utility(previous, BRAND)
    move = BrandNegotiator(BRAND, 5).respond(
        NegotiationState(6, 10, history, competing_offers=(worse,), agreed_elsewhere=(worse,))
    )
    assert move.action is Action.COUNTER
    assert brand_utility(move.terms, BRAND) >= brand_utility(worse, BRAND)


class Conceding:
    """A supplier that comes down ``step`` on price every round from 14.00, asking for payment
    on order."""

    def __init__(self, step: str = "0.10") -> None:
        self.step = Decimal(step)

    def respond(self, state: NegotiationState) -> Move:
        price = Decimal("14.00") - self.step * state.round
        return Move(Action.COUNTER, Terms(price, BRAND.quantity, 30, 0, 12))


def test_the_least_step_goes_on_price() -> None:
    """Early on the schedule asks for less than keep_moving's step (MIN_STEP), so that step is
    all we concede: a cent of price, not a whole payment term (here several times the step),
    which would overshoot and could not be taken back."""
    brand = replace(BRAND, weights=Weights(0.75, 0.22, 0.03))
    played = play(BrandNegotiator(brand, 1), Conceding(), 10)
    offers = brand_offers(played.turns)[1:5]
    assert {o.payment_terms_days for o in offers} == {90}
    for before, after in itertools.pairwise(offers):
        assert Decimal("0") < after.unit_price - before.unit_price <= Decimal("0.05")
        assert brand_utility(before, brand) - brand_utility(after, brand) < 0.005


def test_price_waits_for_a_payment_step_worth_more_to_them() -> None:
    """Payment terms cost this brand a third of what price does and, to a supplier asking for
    payment on order, are worth more than price per unit of ours. Over 40 rounds the steady
    (linear) profile concedes less a round than a payment step costs: price waits, moving by
    the least step, until the step fits, instead of spending the price range first. Price
    still moves later, to our limit, and every issue moves one way."""
    brand = replace(BRAND, weights=Weights(0.6, 0.2, 0.2), profile="balanced")
    offers = brand_offers(play(BrandNegotiator(brand, 1), Conceding("0.05"), 40).turns)
    first = next(i for i, o in enumerate(offers) if o.payment_terms_days < 90)
    assert first < 5
    assert offers[first].unit_price <= brand.target_price + Decimal("0.05")
    assert offers[-1].unit_price == brand.max_price
    assert_each_issue_moves_one_way(offers, SUPPLIER)


@pytest.mark.parametrize(("answerable_after", "waits"), [(None, True), (2, True), (1, False)])
def test_price_waits_only_for_a_step_twice_as_efficient_and_while_two_answerable_offers_follow(
    answerable_after: int | None, waits: bool
) -> None:
    """A step worth three times price's rate to them holds price to the least step while two
    of our offers they can answer follow this one (or before any move); with fewer the target
    stands. A step worth 1.5 times price's rate never holds price back."""
    brand = BrandNegotiator(BRAND, 1)
    previous = offer("10.50", lead=15, pay=90)
    worth = brand.scorer.score_terms(previous)
    model = model_opponent([], brand.scorer.price_value)
    view = View((previous,), model, None, None, False, answerable_after=answerable_after)
    step = (3.0, 0.1, 1, 60)  # (their gain per unit of ours, our cost, issue, value)
    held = brand._wait_for_step(worth - 0.05, previous, [step], 1.0, view)
    assert held == pytest.approx(worth - MIN_STEP if waits else worth - 0.05)
    weaker = (1.5, 0.1, 1, 60)
    assert brand._wait_for_step(worth - 0.05, previous, [weaker], 1.0, view) == worth - 0.05


def test_after_a_step_the_rest_of_the_concession_goes_on_price() -> None:
    """Price waits only while no step has been taken: a concession that fits one payment step
    (net 45 to net 30) and a little more takes the step and gives the rest on price, though
    the next step (to payment on order) is worth more to them and does not fit yet."""
    brand = BrandNegotiator(BRAND, 1)
    asks = Terms(Decimal("14.00"), BRAND.quantity, 30, 0, 12)
    history = tuple(
        turn
        for round_ in range(1, 6)
        for turn in (
            Turn(Side.BRAND, Move(Action.COUNTER, offer("10.12", lead=15, pay=45)), round_),
            Turn(Side.SUPPLIER, Move(Action.COUNTER, asks), round_),
        )
    )
    state = NegotiationState(6, 20, history)
    previous = offer("10.12", lead=15, pay=45)
    target = brand.scorer.score_terms(previous) - 0.04
    conceded = brand._concede(previous, target, brand._view(state))
    assert conceded.payment_terms_days == 30
    assert conceded.unit_price > previous.unit_price
    assert brand.scorer.score_terms(conceded) == pytest.approx(target, abs=0.005)


class WarrantyBlind:
    """A supplier indifferent to warranty: it lowers its price by 0.25 an offer from 13.00,
    always naming its standard 12 months, and accepts a brand offer at or above its price,
    whatever its warranty."""

    def respond(self, state: NegotiationState) -> Move:
        made = sum(1 for t in state.history if t.side is Side.SUPPLIER)
        price = Decimal("13.00") - Decimal("0.25") * made
        ours = [t.move.terms for t in state.history if t.side is Side.BRAND and t.move.terms]
        if ours and ours[-1].unit_price >= price:
            return Move(Action.ACCEPT, ours[-1])
        return Move(Action.COUNTER, Terms(price, BRAND.quantity, 20, 30, 12))


def test_the_brand_keeps_its_warranty_when_the_supplier_never_shows_it_values_it() -> None:
    """A brand that wants 24 months of warranty and weighs it little gives its concessions on
    the other terms: a supplier's offers do not show what warranty is worth to it, and a
    supplier indifferent to it takes the 24 months at no cost (the brand's prior gave it a
    weight, and the brand traded its warranty away in its first concessions)."""
    brand = replace(BRAND, target_warranty_months=24, weights=Weights(0.6, 0.25, 0.15, 0.02))
    played = play(BrandNegotiator(brand, 1), WarrantyBlind(), 10)
    offers = brand_offers(played.turns)
    assert len(offers) >= 3
    assert offers[-1].unit_price > offers[0].unit_price  # it conceded, on price
    assert {o.warranty_months for o in offers} == {24}
    assert played.terms is not None and played.terms.warranty_months == 24
