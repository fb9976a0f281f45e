from dataclasses import replace
from decimal import Decimal

import pytest

from negotiations.engine import (
    PARTIAL_SHIPMENTS_QUESTION,
    Action,
    BrandNegotiator,
    Directive,
    Move,
    NegotiationState,
    Side,
    SupplierNegotiator,
    Terms,
    Turn,
    brand_utility,
    play,
)
from tests.engine.scenarios import BRAND, SUPPLIER, offer


def _after(*moves: tuple[Side, Move]) -> tuple[Turn, ...]:
    """A history where the moves alternate brand/supplier from round 1."""
    return tuple(Turn(side, move, i // 2 + 1) for i, (side, move) in enumerate(moves))


def _exchange(brand_price: str, supplier_price: str, **supplier_kw: int) -> tuple[Turn, ...]:
    return _after(
        (Side.BRAND, Move(Action.PROPOSE, offer(brand_price))),
        (Side.SUPPLIER, Move(Action.COUNTER, offer(supplier_price, **supplier_kw))),
    )


def test_brand_opens_round_one_with_a_proposal_and_explains_it() -> None:
    move = BrandNegotiator(BRAND, seed=1).respond(NegotiationState(1, 10))
    assert move.action is Action.PROPOSE
    assert move.terms is not None and move.terms.quantity == BRAND.quantity
    assert move.strategies and move.rationale


def test_same_prefs_state_and_seed_always_give_the_same_move() -> None:
    state = NegotiationState(2, 10, _exchange("9.50", "13.00"))
    moves = {BrandNegotiator(BRAND, seed=7).respond(state) for _ in range(3)}
    assert len(moves) == 1


def test_brand_accepts_an_offer_at_least_as_good_as_its_next_one() -> None:
    state = NegotiationState(2, 10, _exchange("9.50", "9.90", lead=15, pay=90))
    move = BrandNegotiator(BRAND, seed=1).respond(state)
    assert move.action is Action.ACCEPT
    assert move.terms == offer("9.90", lead=15, pay=90)


def test_brand_accepts_any_compliant_offer_in_the_last_round() -> None:
    state = NegotiationState(2, 2, _exchange("9.50", "11.90", lead=30, pay=0))
    assert BrandNegotiator(BRAND, seed=1).respond(state).action is Action.ACCEPT


def test_brand_never_accepts_above_its_cap_even_in_the_last_round() -> None:
    state = NegotiationState(2, 2, _exchange("9.50", "12.01"))
    move = BrandNegotiator(BRAND, seed=1).respond(state)
    assert move.action is Action.COUNTER
    assert move.terms is not None and move.terms.unit_price <= BRAND.max_price


def test_supplier_walks_away_in_the_last_round_below_its_floor() -> None:
    history = _after((Side.BRAND, Move(Action.PROPOSE, offer("8.00"))))
    move = SupplierNegotiator(SUPPLIER, seed=1).respond(NegotiationState(1, 1, history))
    assert move.action is Action.WALK_AWAY


def test_staff_accept_now_accepts_a_compliant_standing_offer() -> None:
    state = NegotiationState(2, 10, _exchange("9.50", "11.50"), directive=Directive.ACCEPT_NOW)
    move = BrandNegotiator(BRAND, seed=1).respond(state)
    assert move.action is Action.ACCEPT and move.terms == offer("11.50")


def test_staff_accept_now_beyond_the_cap_becomes_an_explained_counter() -> None:
    state = NegotiationState(2, 10, _exchange("9.50", "13.00"), directive=Directive.ACCEPT_NOW)
    move = BrandNegotiator(BRAND, seed=1).respond(state)
    assert move.action is Action.COUNTER
    assert "Staff asked to accept" in move.rationale[0]
    assert "above the maximum" in move.rationale[0]


def test_staff_walk_away_is_obeyed() -> None:
    state = NegotiationState(2, 10, _exchange("9.50", "11.00"), directive=Directive.WALK_AWAY)
    assert BrandNegotiator(BRAND, seed=1).respond(state).action is Action.WALK_AWAY


def _supplier_asks() -> tuple[Turn, ...]:
    return (
        *_exchange("9.50", "13.00"),
        Turn(Side.BRAND, Move(Action.COUNTER, offer("9.80")), 2),
        Turn(Side.SUPPLIER, Move(Action.MESSAGE, question=PARTIAL_SHIPMENTS_QUESTION), 2),
    )


def test_brand_asks_its_staff_what_its_preferences_cannot_answer() -> None:
    move = BrandNegotiator(BRAND, seed=1).respond(
        NegotiationState(3, 10, _supplier_asks(), questions_left=1)
    )
    assert move.action is Action.ASK_INFO
    assert move.question is not None and PARTIAL_SHIPMENTS_QUESTION in move.question


def test_brand_does_not_ask_without_questions_left() -> None:
    move = BrandNegotiator(BRAND, seed=1).respond(NegotiationState(3, 10, _supplier_asks()))
    assert move.action is Action.COUNTER


def test_brand_walks_away_from_a_supplier_that_cannot_supply_the_quantity() -> None:
    history = (
        *_exchange("9.50", "11.00", quantity=300),
        Turn(Side.BRAND, Move(Action.COUNTER, offer("9.80")), 2),
        Turn(Side.SUPPLIER, Move(Action.COUNTER, offer("10.50", quantity=300)), 2),
    )
    move = BrandNegotiator(BRAND, seed=1).respond(NegotiationState(3, 10, history))
    assert move.action is Action.WALK_AWAY


def test_supplier_asks_about_partial_shipments_at_most_once() -> None:
    short = replace(SUPPLIER, capacity=300)
    history = _after((Side.BRAND, Move(Action.PROPOSE, offer("9.50"))))
    first = SupplierNegotiator(short, seed=1).respond(NegotiationState(1, 10, history))
    assert first.action is Action.COUNTER and first.terms is not None
    assert first.terms.quantity == 300
    history += (
        Turn(Side.SUPPLIER, first, 1),
        Turn(Side.BRAND, Move(Action.COUNTER, offer("9.60")), 2),
    )
    second = SupplierNegotiator(short, seed=1).respond(NegotiationState(2, 10, history))
    assert second.action is Action.MESSAGE and second.question == PARTIAL_SHIPMENTS_QUESTION
    history += (
        Turn(Side.SUPPLIER, second, 2),
        Turn(Side.BRAND, Move(Action.COUNTER, offer("9.70")), 3),
    )
    third = SupplierNegotiator(short, seed=1).respond(NegotiationState(3, 10, history))
    assert third.question is None


def test_competitor_leverage_never_offers_worse_than_a_competing_offer() -> None:
    competing = offer("10.50", lead=15, pay=60)
    state = NegotiationState(8, 10, _exchange("9.50", "13.00"), competing_offers=(competing,))
    move = BrandNegotiator(BRAND, seed=1).respond(state)
    assert "competitor_leverage" in move.strategies
    assert move.terms is not None
    assert brand_utility(move.terms, BRAND) >= brand_utility(competing, BRAND)


@pytest.mark.parametrize("profile", ["adaptive", "boulware", "balanced", "conceder"])
def test_time_based_brands_concede_over_the_rounds(profile: str) -> None:
    prefs = replace(BRAND, profile=profile)
    history = _after(
        (Side.BRAND, Move(Action.PROPOSE, offer("9.00", lead=15, pay=90))),
        (Side.SUPPLIER, Move(Action.COUNTER, offer("13.00"))),
    )
    early = BrandNegotiator(prefs, seed=1).respond(NegotiationState(2, 10, history))
    late = BrandNegotiator(prefs, seed=1).respond(NegotiationState(2, 3, history))
    assert early.terms is not None and late.terms is not None
    assert brand_utility(late.terms, prefs) < brand_utility(early.terms, prefs)


def _held(brand_price: str, rounds: int = 7) -> tuple[Turn, ...]:
    """The supplier holds at 13.00 (above the cap) while the brand offers ``brand_price``."""
    return tuple(
        turn
        for r in range(1, rounds + 1)
        for turn in (
            Turn(Side.BRAND, Move(Action.COUNTER, offer(brand_price)), r),
            Turn(Side.SUPPLIER, Move(Action.COUNTER, offer("13.00")), r),
        )
    )


def test_brand_walks_away_from_a_supplier_holding_above_its_cap_when_at_its_own() -> None:
    move = BrandNegotiator(BRAND, seed=1).respond(NegotiationState(8, 10, _held("12.00")))
    assert move.action is Action.WALK_AWAY
    assert move.strategies == ("zopa_estimate",)


def test_a_hold_while_the_brand_still_has_room_is_answered_with_a_concession() -> None:
    """Tit-for-tat and MiCRO suppliers repeat themselves until the brand moves."""
    move = BrandNegotiator(BRAND, seed=1).respond(NegotiationState(8, 10, _held("10.00")))
    assert move.action is Action.COUNTER and move.terms is not None
    assert move.terms.unit_price > Decimal("10.00")


@pytest.mark.parametrize("temperament", ["hardball", "balanced", "flexible", "relationship"])
def test_a_negotiator_asked_move_after_move_moves_as_a_fresh_one_would(temperament: str) -> None:
    """Negotiators digest only the turns they have not seen (a speed-up): every move of a
    played negotiation is the move a fresh negotiator makes on the same state, and a history
    that does not continue the last one is digested from the start."""
    supplier = replace(SUPPLIER, temperament=temperament)
    played = play(BrandNegotiator(BRAND, 5), SupplierNegotiator(supplier, 6), 10)
    assert len(played.turns) >= 6
    reused = {Side.BRAND: BrandNegotiator(BRAND, 5), Side.SUPPLIER: SupplierNegotiator(supplier, 6)}
    states = [
        (turn.side, NegotiationState(turn.round, 10, played.turns[:i]))
        for i, turn in enumerate(played.turns)
    ]
    for side, state in [*states, *reversed(states)]:  # forwards, then never a continuation
        fresh = BrandNegotiator(BRAND, 5) if side is Side.BRAND else SupplierNegotiator(supplier, 6)
        assert reused[side].respond(state) == fresh.respond(state)


def test_against_a_supplier_holding_one_offer_the_brand_concedes_its_terms_before_price() -> None:
    """A reciprocating supplier waits for concessions it can see, and our offer may be outside
    its limits on a term (here lead time): the brand moves the terms the supplier likely values
    towards it before the price, instead of paying up first."""
    ours = Terms(Decimal("10.40"), 500, 15, 90, 12)
    theirs = Terms(Decimal("13.00"), 500, 25, 30, 12)
    history = tuple(
        turn
        for r in range(1, 8)
        for turn in (
            Turn(Side.BRAND, Move(Action.COUNTER, ours), r),
            Turn(Side.SUPPLIER, Move(Action.COUNTER, theirs), r),
        )
    )
    move = BrandNegotiator(BRAND, seed=1).respond(NegotiationState(8, 10, history))
    assert move.action is Action.COUNTER
    assert move.terms.lead_time_days == 25 and move.terms.payment_terms_days == 30
    assert move.terms.unit_price < Decimal("11.00")
