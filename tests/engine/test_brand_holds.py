"""Ground the brand cannot take back: the time-based brand profiles against a supplier that
concedes late, from beyond the brand's limits. Since no concession is taken back, a hold at
what the supplier is heading to concede has to start before the ground is given, and a
non-price move that would go well past the profile's aim waits until the aim reaches it."""

import re
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
from negotiations.engine.negotiators.base import LUMP_TOLERANCE
from tests.engine.scenarios import BRAND

ROUNDS = 10


class Conceding:
    """A supplier that lowers its price by ``step`` on every offer, keeping its lead time, and
    accepts a brand offer at or above its current price and lead time."""

    def __init__(self, start: str, step: str, lead: int) -> None:
        self.start, self.step, self.lead = Decimal(start), Decimal(step), lead

    def respond(self, state: NegotiationState) -> Move:
        made = sum(1 for t in state.history if t.side is Side.SUPPLIER)
        price = self.start - self.step * made
        ours = [t.move.terms for t in state.history if t.side is Side.BRAND and t.move.terms]
        if ours and ours[-1].unit_price >= price and ours[-1].lead_time_days >= self.lead:
            return Move(Action.ACCEPT, ours[-1])
        return Move(Action.COUNTER, Terms(price, BRAND.quantity, self.lead, 30, 12))


def test_the_brand_holds_at_what_a_conceding_supplier_is_heading_to_before_the_deadline() -> None:
    """The supplier comes down 0.80 an offer from 18.00, inside our 12.00 limit only in its
    last offers. The steady (linear) profile stops conceding where the projection says the
    supplier is heading, so it takes the supplier's own price at the end instead of having
    already offered its limit (which the supplier would accept)."""
    brand = replace(BRAND, profile="balanced")
    played = play(BrandNegotiator(brand, 1), Conceding("18.00", "0.80", 20), ROUNDS)
    offers = [t for t in played.turns if t.side is Side.BRAND and t.move.terms is not None]
    assert any("hold_projection" in t.move.strategies for t in offers)
    assert played.terms is not None
    assert played.terms.unit_price < brand.max_price
    assert max(t.move.terms.unit_price for t in offers if t.move.action is Action.COUNTER) < (
        played.terms.unit_price
    )


def test_a_non_price_move_never_goes_well_past_the_aim() -> None:
    """With price at (or near) our limit, the conceding profile reaches its aim on lead time,
    which moves in steps; a step that would give up more than the aim by over the tolerance
    waits (our offer stays above the aim) until the aim comes down to it."""
    brand = replace(BRAND, profile="conceder")
    played = play(BrandNegotiator(brand, 1), Conceding("16.00", "0.30", 45), ROUNDS)
    checked = 0
    for turn in played.turns:
        if turn.side is not Side.BRAND or turn.move.action is not Action.COUNTER:
            continue
        aim = re.search(r"aim (\d\.\d\d)", " ".join(turn.move.rationale))
        assert aim is not None
        worth = brand_utility(turn.move.terms, brand)
        assert worth >= float(aim.group(1)) - LUMP_TOLERANCE - 0.005, turn
        checked += 1
    assert checked == ROUNDS - 1
    lead = [t.move.terms.lead_time_days for t in played.turns if t.side is Side.BRAND]
    assert lead[-1] > lead[0]  # lead time does move, in steps that fit
