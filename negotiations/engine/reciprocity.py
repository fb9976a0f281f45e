"""The reciprocity test: does the opponent move when we move, and only then?

The adaptive profile holds firm because most opponents concede with time whatever we do. One
that mirrors our concessions (tit-for-tat) does not: it repeats its opening while our early
steps are too small to answer, and meets our late ones one offer behind, so firmness costs us
the steps it never answers. The test tells the two apart with one visible concession:

1. An opponent that has made its opening offer ``HELD_OFFERS`` times (and no other) when our
   first offer at or after ``TEST_AT`` of the negotiation comes gets that offer as a test: a
   concession of at least ``TEST_STEP`` of our utility (``strategies._adaptive``). So no test
   when we open a negotiation of fewer than 8 rounds: it has made only two offers by then.
2. It *reciprocates* if it answers the test with a new offer and then repeats that offer
   (``REPEATS`` times) while we go back to our small steps: it moved when we moved, and only
   then. A time-dependent opponent (Boulware, Aspiration) does not answer at that point in the
   negotiation; a hybrid one keeps moving by itself as its deadline nears; opponents that move
   every round (Linear, Conceder, MiCRO) never held. Offers after the verdict do not change it.

Only for a negotiator that never takes a concession back (the brand): the test's step stays on
the table, so it is small and made once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from negotiations.engine.moves import OFFER_ACTIONS, Side, Turn, round_time
from negotiations.engine.terms import Terms

TEST_AT = 0.3
"""The share of the negotiation after which the test offer may come."""
HELD_OFFERS = 3
"""How many times the opponent must have made its opening offer before the test."""
REPEATS = 1
"""How many times the opponent must repeat its answer to the test to count as reciprocating."""
TEST_STEP = 0.05
"""The test offer's least concession, in our utility."""
TEST = "reciprocity_test"
RECIPROCAL = "reciprocal_pace"
"""The strategy ids a move gets for the test offer and for the pace after a reciprocating
answer."""
RECIPROCAL_EXPONENT = 0.5
"""The pace (``strategies._aspiration``'s exponent) we keep to with an opponent that
reciprocates: steadier than the adaptive profile's own, so it has our concessions to mirror
while there is time."""


class Reciprocity(NamedTuple):
    test_now: bool
    """This move is the test offer."""
    reciprocates: bool
    """The opponent answered the test and then held: it mirrors concessions."""


NO_TEST = Reciprocity(False, False)


def read_reciprocity(
    history: Sequence[Turn], side: Side, round_: int, max_rounds: int
) -> Reciprocity:
    """The test's state for ``side``'s move in ``round_`` after ``history``."""
    if round_time(round_, max_rounds) < TEST_AT - 1e-9:
        return NO_TEST
    before: list[Terms] = []
    after: list[Terms] | None = None  # None until our test offer
    for turn in history:
        terms = turn.move.terms
        if terms is None or turn.move.action not in OFFER_ACTIONS:
            continue
        if turn.side is side:
            if after is None and round_time(turn.round, max_rounds) >= TEST_AT - 1e-9:
                after = []
        elif after is None:
            if before and terms != before[0]:
                return NO_TEST  # it moved before the test: no test, no verdict
            before.append(terms)
        else:
            after.append(terms)
    held = len(before) >= HELD_OFFERS
    if after is None:
        return Reciprocity(held, False)
    answered = held and len(after) > REPEATS and after[0] != before[0]
    return Reciprocity(False, answered and after[1 : 1 + REPEATS].count(after[0]) == REPEATS)
