"""The default brand against a supplier that holds one offer (a reciprocating agent waiting
for concessions it can see): it moves in time, and lead time is not given away at once."""

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

HELD = Terms(Decimal("14.00"), BRAND.quantity, 45, 0, 12)
"""Beyond the brand's price and lead-time limits."""


class Holder:
    """A supplier that answers every offer with the same counter-offer."""

    def respond(self, state: NegotiationState) -> Move:
        return Move(Action.COUNTER, HELD)


def brand_turns(brand_first: bool, rounds: int = 10):
    played = play(BrandNegotiator(BRAND, 1), Holder(), rounds, brand_first=brand_first)
    return [t for t in played.turns if t.side is Side.BRAND]


def test_against_a_holding_supplier_the_last_answerable_offers_step_down_to_the_floor() -> None:
    """Our last three offers it can answer each give up a share of what is left above our
    reservation (not one jump on the very last), and we never walk away before them."""
    for brand_first in (True, False):
        turns = brand_turns(brand_first)
        assert all(t.move.action is not Action.WALK_AWAY for t in turns[:-1])
        last_answerable = 10 if brand_first else 9
        worth = {
            t.round: brand_utility(t.move.terms, BRAND) for t in turns if t.move.terms is not None
        }
        r = BRAND.reservation
        before = worth[last_answerable - 3]
        assert worth[last_answerable - 2] - r <= (before - r) * 2 / 3 + 0.02
        assert worth[last_answerable - 1] < worth[last_answerable - 2] - 0.05
        assert worth[last_answerable] < worth[last_answerable - 1] - 0.05


def test_lead_time_is_not_given_away_at_once_when_theirs_is_beyond_our_limit() -> None:
    """Their opening lead time is what they would like, not what they need: ours moves
    towards it in order of efficiency, and does not jump to our limit in round 2."""
    offers = [t.move.terms for t in brand_turns(True) if t.move.terms is not None]
    assert offers[1].lead_time_days < BRAND.max_lead_time_days
    assert offers[-1].lead_time_days > offers[1].lead_time_days  # it does move, later
