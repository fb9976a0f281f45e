"""The reciprocity test (``negotiations/engine/reciprocity.py``): one visible step against a
seller that holds its opening, and a steadier pace for one that answers it and only it."""

import pytest

from negotiations.engine import (
    CLASSIC_AGENTS,
    Action,
    BrandNegotiator,
    Move,
    Side,
    Terms,
    Turn,
    brand_utility,
    play,
    reciprocity,
)
from negotiations.engine.domains import discrete_settings
from negotiations.engine.reciprocity import (
    NO_TEST,
    RECIPROCAL,
    TEST,
    TEST_STEP,
    Reciprocity,
    read_reciprocity,
)
from tests.engine.scenarios import BRAND, Holder, offer

OPENING, ANSWER, LATER = offer("14.00"), offer("13.50"), offer("13.00")


def history(theirs: list[Terms], brand_first: bool = True) -> tuple[Turn, ...]:
    """The brand's new offer every round and the seller's ``theirs``, the brand opening rounds
    or the seller; with the seller opening, the brand's round-2 move is a question to its staff
    (no offer)."""
    turns: list[Turn] = []
    for round_, terms in enumerate(theirs, start=1):
        ours = Move(Action.COUNTER, offer(f"{10 + round_ / 100:.2f}"))
        if not brand_first and round_ == 2:
            ours = Move(Action.ASK_INFO, question="Partial shipments?")
        pair = [
            Turn(Side.BRAND, ours, round_),
            Turn(Side.SUPPLIER, Move(Action.COUNTER, terms), round_),
        ]
        turns += pair if brand_first else pair[::-1]
    return tuple(turns)


def read(theirs: list[Terms], round_: int, brand_first: bool = True) -> Reciprocity:
    """The test's state for the brand's move in ``round_`` of 10."""
    return read_reciprocity(history(theirs, brand_first), Side.BRAND, round_, 10)


def test_the_test_comes_at_the_first_round_past_its_time_after_three_held_offers() -> None:
    """With 10 rounds, round 4 is the first at t >= 0.3: the test is due there (and not before)
    only if the seller has repeated its opening three times."""
    early = history([OPENING] * 3, brand_first=False)[:-1]  # three held offers by round 3
    assert read_reciprocity(early, Side.BRAND, 3, 10) == NO_TEST
    assert read([OPENING] * 3, 4).test_now
    assert not read([OPENING, ANSWER, ANSWER], 4).test_now  # it moved: no test
    assert not read([OPENING] * 2, 4).test_now  # fewer than three offers held
    assert not read([OPENING] * 4, 5).test_now  # our round-4 offer was the test


def test_with_the_seller_opening_rounds_its_offer_of_the_round_comes_before_ours() -> None:
    """Seller first: by our round-4 offer it has made four, and its answer to the test is its
    round-5 offer; a move that is no offer (our question in round 2) does not count."""
    seen = history([OPENING] * 4, brand_first=False)[:-1]  # up to its round-4 offer
    assert read_reciprocity(seen, Side.BRAND, 4, 10).test_now
    assert read([OPENING] * 4 + [ANSWER, ANSWER], 7, brand_first=False).reciprocates
    assert not read([OPENING] * 5 + [ANSWER], 7, brand_first=False).reciprocates


@pytest.mark.parametrize(
    ("theirs", "reciprocates"),
    [
        ([OPENING] * 3 + [ANSWER], False),  # answered, not yet repeated: no verdict yet
        ([OPENING] * 3 + [ANSWER, ANSWER], True),  # answered the test, then held
        ([OPENING] * 3 + [ANSWER, ANSWER, LATER, offer("12.50")], True),  # verdict kept
        ([OPENING] * 3 + [ANSWER, LATER], False),  # moves by itself: time-dependent or hybrid
        ([OPENING] * 5, False),  # no answer
        ([OPENING, ANSWER, ANSWER, ANSWER, LATER, LATER], False),  # never held: no test
    ],
)
def test_a_seller_reciprocates_if_it_answers_the_test_and_then_holds(
    theirs: list[Terms], reciprocates: bool
) -> None:
    """The test offer is our round-4 offer; the seller's offers after it decide."""
    assert read(theirs, len(theirs) + 1).reciprocates is reciprocates


def test_against_a_seller_that_never_answers_there_is_one_test_step() -> None:
    """The held seller gets one offer a visible ``TEST_STEP`` below our previous one, in the
    first round at t >= 0.3, and no steadier pace after it."""
    played = play(BrandNegotiator(BRAND, 1), Holder(), 10, brand_first=True)
    ours = [t for t in played.turns if t.side is Side.BRAND]
    tests = [t for t in ours if TEST in t.move.strategies]
    assert [t.round for t in tests] == [4]
    before = next(t for t in ours if t.round == 3)
    assert before.move.terms is not None and tests[0].move.terms is not None
    step = brand_utility(before.move.terms, BRAND) - brand_utility(tests[0].move.terms, BRAND)
    assert step == pytest.approx(TEST_STEP, abs=0.01)
    assert not any(RECIPROCAL in t.move.strategies for t in ours)


def _against(seller: str, settings: int = 12) -> tuple[float, int, int]:
    """Mean brand utility (no deal: its reservation) against a classic ``seller`` on discrete
    settings, both opening orders, and in how many negotiations the brand made the test and read
    the seller as reciprocating."""
    total, tested, read_as_reciprocating, count = 0.0, 0, 0, 0
    for setting in discrete_settings(settings):
        for brand_first in (True, False):
            agent = CLASSIC_AGENTS[seller](Side.SUPPLIER, setting.rankings()[1], seed=1)
            brand = BrandNegotiator(setting.brand, 1)
            played = play(brand, agent, setting.max_rounds, brand_first=brand_first)
            terms = played.terms
            total += brand_utility(terms, setting.brand) if terms else setting.brand.reservation
            count += 1
            ids = {i for t in played.turns if t.side is Side.BRAND for i in t.move.strategies}
            tested += TEST in ids
            read_as_reciprocating += RECIPROCAL in ids
    return total / count, tested, read_as_reciprocating


@pytest.mark.parametrize("seller", ["naive_tft", "relative_tft"])
def test_tit_for_tat_sellers_are_read_as_reciprocating_and_give_better_deals(
    seller: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Classic tit-for-tat sellers answer the test and then wait: the brand reads them as
    reciprocating in most negotiations, and its deals are better than without the test
    (switched off here by asking for more held offers than a negotiation has)."""
    with_test, _, reciprocating = _against(seller)
    monkeypatch.setattr(reciprocity, "HELD_OFFERS", 1000)
    without_test, never_tested, never = _against(seller)
    assert reciprocating >= 12 and never_tested == never == 0
    assert with_test > without_test + 0.005


@pytest.mark.parametrize("seller", ["boulware", "aspiration", "hybrid"])
def test_sellers_that_concede_with_time_are_not_read_as_reciprocating(seller: str) -> None:
    """Time-dependent sellers do not answer the test; the hybrid answers it and then keeps
    moving as its deadline nears. Against them the default's firmness stays."""
    _, tested, reciprocating = _against(seller)
    assert tested >= 20 and reciprocating == 0
