"""The classic agents behave as their published definitions say."""

from decimal import Decimal

import pytest

from negotiations.engine import (
    CLASSIC_AGENTS,
    Action,
    Move,
    NegotiationState,
    Ranking,
    Side,
    Terms,
    Turn,
    play,
)
from negotiations.engine.classic import BID_WINDOW, ClassicAgent, MiCRO
from negotiations.engine.domains import discrete_settings

PRICES = [Decimal(p) for p in range(10, 21)]
"""A one-issue domain: the seller's utility is (price - 10) / 10, the buyer's its mirror."""
OUTCOMES = tuple(Terms(p, 100, 10, 30, 12) for p in PRICES)
RESERVATION = 0.3


def seller_utility(terms: Terms) -> float:
    return float(terms.unit_price - 10) / 10


def buyer_utility(terms: Terms) -> float:
    return float(20 - terms.unit_price) / 10


def seller(name: str, reservation: float = RESERVATION) -> object:
    ranking = Ranking.build(seller_utility, OUTCOMES, reservation)
    return CLASSIC_AGENTS[name](Side.SUPPLIER, ranking, seed=1)


def state(round_: int, *moves: tuple[Side, str], max_rounds: int = 11) -> NegotiationState:
    """History of offers at the given prices, one turn each, in order."""
    turns = tuple(
        Turn(side, Move(Action.COUNTER, Terms(Decimal(price), 100, 10, 30, 12)), i // 2 + 1)
        for i, (side, price) in enumerate(moves)
    )
    return NegotiationState(round_, max_rounds, turns)


def offered(agent: object, s: NegotiationState) -> float:
    move = agent.respond(s)  # type: ignore[attr-defined]
    assert move.action in (Action.PROPOSE, Action.COUNTER)
    return seller_utility(move.terms)


def test_boulware_concedes_less_than_linear_and_linear_less_than_conceder_at_half_time() -> None:
    half = state(6)  # round 6 of 11: t = 0.5, no offers from the buyer yet
    boulware, linear, conceder = (
        offered(seller(n), half) for n in ("boulware", "linear", "conceder")
    )
    assert boulware > linear > conceder
    # Faratin et al.: u(t) = 1 - (1 - r) * t^(1/e), bidding the least utility at or above it.
    assert linear == pytest.approx(0.7)  # 1 - 0.7 * 0.5 = 0.65, next grid point up
    assert boulware == pytest.approx(1.0)  # 1 - 0.7 * 0.5^5 = 0.978


@pytest.mark.parametrize("name", ["boulware", "linear", "conceder", "aspiration"])
def test_time_dependent_agents_reach_their_reservation_at_the_deadline(name: str) -> None:
    assert offered(seller(name), state(11)) == pytest.approx(0.3)


@pytest.mark.parametrize("name", sorted(CLASSIC_AGENTS))
def test_no_classic_agent_offers_or_accepts_below_its_reservation(name: str) -> None:
    for setting in discrete_settings(3, seed=5):
        buyer_ranking, seller_ranking = setting.rankings()
        for opponent in ("conceder", "naive_tft"):
            for brand_first in (True, False):
                agent = CLASSIC_AGENTS[name](Side.SUPPLIER, seller_ranking, seed=2)
                other = CLASSIC_AGENTS[opponent](Side.BRAND, buyer_ranking, seed=3)
                played = play(other, agent, setting.max_rounds, brand_first=brand_first)
                utility = setting.seller_utility()
                for turn in played.turns:
                    if turn.side is Side.SUPPLIER and turn.move.terms is not None:
                        assert utility(turn.move.terms) >= setting.supplier.reservation


def test_accepts_with_ac_next_an_offer_worth_its_next_one() -> None:
    # Linear at t = 0.5 would offer 0.7: an offer worth 0.7 to it is accepted, 0.6 is not.
    assert seller("linear").respond(state(6, (Side.BRAND, "17"))).action is Action.ACCEPT
    assert seller("linear").respond(state(6, (Side.BRAND, "16"))).action is Action.COUNTER


def test_aspiration_accepts_what_meets_its_current_aspiration() -> None:
    # Aspiration at t = 0.5: 0.3 + 0.7 * (1 - 0.5^4) = 0.956: 0.9 is not enough, 1.0 is.
    assert seller("aspiration").respond(state(6, (Side.BRAND, "19"))).action is Action.COUNTER
    assert seller("aspiration").respond(state(6, (Side.BRAND, "20"))).action is Action.ACCEPT


def test_naive_tit_for_tat_concedes_exactly_what_the_opponent_gave() -> None:
    agent = seller("naive_tft")
    stood = state(3, (Side.BRAND, "10"), (Side.SUPPLIER, "20"), (Side.BRAND, "10"))
    moved = state(3, (Side.BRAND, "10"), (Side.SUPPLIER, "20"), (Side.BRAND, "12"))
    assert offered(agent, stood) == pytest.approx(1.0)  # nothing given, nothing back
    assert offered(agent, moved) == pytest.approx(0.8)  # the buyer gave 0.2


def test_relative_tit_for_tat_concedes_the_same_share_of_its_surplus() -> None:
    agent = seller("relative_tft")
    # The buyer closed 2 of the 10 between its offer and ours: a fifth. A fifth of our
    # surplus over the reservation (0.7) is 0.14: target 0.86, bid 0.9.
    moved = state(3, (Side.BRAND, "10"), (Side.SUPPLIER, "20"), (Side.BRAND, "12"))
    assert offered(agent, moved) == pytest.approx(0.9)


def test_micro_concedes_one_outcome_only_after_as_many_new_offers_from_the_opponent() -> None:
    agent = seller("micro")
    assert isinstance(agent, MiCRO)
    first = state(1, (Side.BRAND, "10"))
    assert offered(agent, first) == pytest.approx(1.0)
    # It has made one offer and seen one distinct offer: it concedes to its second outcome.
    second = state(2, (Side.BRAND, "10"), (Side.SUPPLIER, "20"), (Side.BRAND, "10"))
    assert offered(agent, second) == pytest.approx(0.9)
    # Two offers made, still one distinct offer seen: it repeats an earlier offer.
    third = state(
        3,
        (Side.BRAND, "10"),
        (Side.SUPPLIER, "20"),
        (Side.BRAND, "10"),
        (Side.SUPPLIER, "19"),
        (Side.BRAND, "10"),
    )
    assert offered(agent, third) in (pytest.approx(1.0), pytest.approx(0.9))


def test_micro_never_offers_below_its_reservation() -> None:
    agent = seller("micro", reservation=0.75)
    moves: list[tuple[Side, str]] = []
    for round_, price in enumerate(range(10, 20), start=1):
        moves.append((Side.BRAND, str(price)))
        move = agent.respond(state(round_, *moves, max_rounds=20))  # type: ignore[attr-defined]
        if move.action is Action.ACCEPT:
            assert seller_utility(move.terms) >= 0.75
            break
        assert seller_utility(move.terms) >= 0.75
        moves.append((Side.SUPPLIER, str(move.terms.unit_price)))


def test_hybrid_mirrors_early_and_follows_time_late() -> None:
    agent = seller("hybrid")
    early = state(2, (Side.BRAND, "10"), (Side.SUPPLIER, "20"), (Side.BRAND, "10"))
    assert offered(agent, early) == pytest.approx(1.0)  # t = 0.1 and nothing to mirror
    late = state(11, (Side.BRAND, "10"), (Side.SUPPLIER, "20"), (Side.BRAND, "10"))
    assert offered(agent, late) == pytest.approx(0.3)  # at the deadline: the time target


def test_play_lets_either_side_open_and_agrees_on_the_accepted_offer() -> None:
    buyer = CLASSIC_AGENTS["conceder"](
        Side.BRAND, Ranking.build(buyer_utility, OUTCOMES, 0.2), seed=0
    )
    for brand_first in (True, False):
        played = play(buyer, seller("conceder"), 10, brand_first=brand_first)
        first = played.turns[0].side
        assert first is (Side.BRAND if brand_first else Side.SUPPLIER)
        assert played.terms is not None
        assert played.turns[-1].move.action is Action.ACCEPT
        assert played.turns[-1].move.terms == played.terms


FINE = tuple(Terms(Decimal(10) + Decimal(k) / 10, 100, 10, 30, 12) for k in range(101))
"""The one-issue domain on a grid of 0.01 of the seller's utility."""


def bidder(
    rule: str,
    outcomes: tuple[Terms, ...] = OUTCOMES,
    seed: int = 1,
    reservation: float = RESERVATION,
) -> ClassicAgent:
    ranking = Ranking.build(seller_utility, outcomes, reservation)
    return CLASSIC_AGENTS["linear"](Side.SUPPLIER, ranking, seed, rule)


@pytest.mark.parametrize(
    ("rule", "target", "bid"),
    [
        ("least_above", 0.52, 0.6),
        ("least_above", 0.58, 0.6),
        ("nearest", 0.52, 0.5),  # the next one down is nearer
        ("nearest", 0.58, 0.6),
        ("nearest", 1.2, 1.0),
        ("window", 0.52, 0.6),  # nothing within the window: the next one up
    ],
)
def test_a_classic_agent_bids_by_its_rule(rule: str, target: float, bid: float) -> None:
    assert seller_utility(bidder(rule).bid(target)) == pytest.approx(bid)


def test_the_nearest_bid_is_never_under_the_reservation() -> None:
    """With a reservation of 0.35, a target of 0.32 is nearer 0.3 than 0.4, but 0.3 is under
    the reservation."""
    assert seller_utility(bidder("nearest", reservation=0.35).bid(0.32)) == pytest.approx(0.4)


def test_the_window_rule_bids_at_random_within_the_window_above_the_target() -> None:
    bids = {
        seed: [seller_utility(bidder("window", FINE, seed).bid(0.52)) for _ in range(2)]
        for seed in range(20)
    }
    assert all(a == b for a, b in bids.values())  # seeded: the same bid for the same target
    values = {a for a, _ in bids.values()}
    assert len(values) > 1
    assert all(0.52 - 1e-9 <= v <= 0.52 + BID_WINDOW + 1e-9 for v in values)
    assert seller_utility(bidder("window", FINE).bid(0.995)) == pytest.approx(1.0)


def test_an_unknown_bidding_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="bidding rule"):
        bidder("cheapest")


class Holding:
    """A buyer that concedes once, from 11.00 to 15.00, then repeats that offer."""

    def respond(self, state: NegotiationState) -> Move:
        price = Decimal("11.00") if state.round == 1 else Decimal("15.00")
        return Move(Action.COUNTER, Terms(price, 100, 10, 30, 12))


@pytest.mark.parametrize("name", ["naive_tft", "relative_tft", "hybrid"])
def test_a_reciprocating_agent_bidding_in_a_window_never_creeps_back_up(name: str) -> None:
    """A window bid may land above the target, but the agent stands where its lowest offer is:
    against a buyer that holds after one concession, no offer goes more than the window above
    its lowest one before it (reading its latest bid as where it stands, it crept up)."""
    ranking = Ranking.build(seller_utility, FINE, RESERVATION)
    agent = CLASSIC_AGENTS[name](Side.SUPPLIER, ranking, 3, "window")
    played = play(Holding(), agent, 12)
    values = [
        seller_utility(t.move.terms)
        for t in played.turns
        if t.side is Side.SUPPLIER and t.move.terms is not None
    ]
    assert len(values) >= 3
    assert all(v <= min(values[:i]) + BID_WINDOW + 1e-9 for i, v in enumerate(values[1:], 1))
