"""The default brand against a supplier that holds one offer (a reciprocating agent waiting
for concessions it can see): it moves in time, and lead time is not given away at once; what
the supplier's offers say about the payment terms it wants; the offer proposed back once
before accepting."""

from dataclasses import replace
from decimal import Decimal

import pytest

from negotiations.engine import (
    CLASSIC_AGENTS,
    Action,
    BrandNegotiator,
    Move,
    NegotiationState,
    Side,
    Terms,
    Turn,
    Weights,
    brand_utility,
    play,
)
from negotiations.engine.analysis import zopa_exists
from negotiations.engine.domains import (
    Setting,
    discrete_settings,
    generate_scenarios,
    our_settings,
)
from tests.engine.scenarios import BRAND, Holder


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


class Scripted:
    """A supplier that opens with net 0, then holds one offer with ``later`` payment terms."""

    def __init__(self, later: int) -> None:
        self.later = later

    def respond(self, state: NegotiationState) -> Move:
        mine = sum(1 for t in state.history if t.side is Side.SUPPLIER)
        pay = 0 if mine == 0 else self.later
        return Move(Action.COUNTER, Terms(Decimal("13.00"), BRAND.quantity, 25, pay, 12))


def test_payment_terms_a_supplier_gave_up_are_not_conceded_back_past_them() -> None:
    """A supplier that opens with net 0 and then offers net 60 is read as wanting net 45
    (its opening is only a lower bound): the brand's payment terms stop at net 45. One that
    keeps asking for net 0 gets sooner payment than that."""

    def payments(later: int) -> list[int]:
        played = play(BrandNegotiator(BRAND, 1), Scripted(later), 10, brand_first=True)
        return [
            t.move.terms.payment_terms_days
            for t in played.turns
            if t.side is Side.BRAND and t.move.action is Action.COUNTER and t.move.terms
        ]

    assert min(payments(60)) == 45
    assert min(payments(0)) < 45


def test_an_acceptable_offer_is_first_proposed_back_with_our_payment_terms_once() -> None:
    """Before accepting their offer (not on our last move), the brand proposes it once with the
    payment terms and warranty of its own previous offer, which may cost them little; every
    issue still moves towards them from our previous offer. Here a naive tit-for-tat seller
    accepts it."""
    setting = discrete_settings(10, seed=3)[5]
    seller = CLASSIC_AGENTS["naive_tft"](Side.SUPPLIER, setting.rankings()[1], seed=1)
    played = play(BrandNegotiator(setting.brand, 1), seller, setting.max_rounds, brand_first=False)
    turns = played.turns
    probes = [i for i, t in enumerate(turns) if "pareto_probe" in t.move.strategies]
    assert len(probes) == 1
    at = probes[0]
    probe, standing = turns[at].move.terms, turns[at - 1].move.terms
    before = next(t.move.terms for t in reversed(turns[:at]) if t.side is Side.BRAND)
    assert probe is not None and standing is not None and before is not None
    assert probe != before
    assert probe.unit_price == standing.unit_price >= before.unit_price
    assert probe.lead_time_days >= before.lead_time_days
    assert probe.payment_terms_days == before.payment_terms_days > standing.payment_terms_days
    assert brand_utility(probe, setting.brand) > brand_utility(standing, setting.brand) + 0.01
    assert played.terms == probe


class Stepper:
    """A supplier that opens at 16.60 and concedes ``step`` on every move (``every`` 1: by
    time) or every other move (``every`` 2: like a reciprocating agent, which repeats itself
    until it sees a concession), always with a lead time of ``lead`` days."""

    def __init__(self, step: str, every: int, lead: int = 20) -> None:
        self.step, self.every, self.lead = Decimal(step), every, lead

    def respond(self, state: NegotiationState) -> Move:
        mine = sum(1 for t in state.history if t.side is Side.SUPPLIER)
        price = Decimal("16.60") - self.step * (mine // self.every)
        return Move(Action.COUNTER, Terms(price, BRAND.quantity, self.lead, 30, 12))


def test_no_deadline_bluff_on_the_last_answerable_offer_to_a_supplier_that_waits() -> None:
    """Our last offer they can answer (round 7 of 8 when they open rounds) holds at their
    projected deadline price only when they moved on each of their last two offers; one that
    repeats itself concedes when we do, so it gets our closing offer, as far as we can go.
    Both offer 12.10, just beyond our limit, in round 7."""

    def last_answerable(step: str, every: int) -> Terms:
        played = play(BrandNegotiator(BRAND, 1), Stepper(step, every), 8, brand_first=False)
        move = next(t.move for t in played.turns if t.side is Side.BRAND and t.round == 7)
        assert move.action is Action.COUNTER and move.terms is not None
        return move.terms

    steady, waiting = last_answerable("0.75", 1), last_answerable("1.50", 2)
    assert waiting.unit_price == BRAND.max_price
    assert steady.unit_price < BRAND.max_price
    assert brand_utility(steady, BRAND) > brand_utility(waiting, BRAND) + 0.05


def test_the_closing_offer_has_a_lead_time_the_supplier_offered_itself() -> None:
    """Lead time is a hard limit of the supplier's: every lead time it offered is inside it, a
    shorter one may not be. Our last offer it can answer, with nothing acceptable on the table,
    gives at least the shortest lead time it offered (25 days, inside our limit of 30), even
    where price alone would reach our reservation; offers before the end game keep a shorter
    one."""
    brand = replace(BRAND, reservation=0.25)
    for brand_first in (True, False):
        supplier = Stepper("0.40", 1, lead=25)
        played = play(BrandNegotiator(brand, 1), supplier, 8, brand_first=brand_first)
        offers = {
            t.round: t.move.terms
            for t in played.turns
            if t.side is Side.BRAND and t.move.action is Action.COUNTER and t.move.terms
        }
        last_answerable = 8 if brand_first else 7
        closing = offers[last_answerable]
        assert closing.lead_time_days == 25
        assert brand_utility(closing, brand) >= brand.reservation
        assert offers[6].lead_time_days < 25  # before the end game


def test_the_closing_offer_gives_that_lead_time_even_where_price_cannot_pay_for_it() -> None:
    """A linear brand to which lead time matters (0.3) keeps 15 days while it concedes, and its
    last step on price is too small to pay for 25 days at the same utility (the end-game move on
    lead time keeps price at least where it was, so it would keep 15 days): its closing offer
    gives the 25 days all the same, worth less to us than its plan and than its previous offer,
    but not less than our reservation."""
    brand = replace(BRAND, profile="balanced", reservation=0.25, weights=Weights(0.6, 0.3, 0.1))
    played = play(BrandNegotiator(brand, 1), Stepper("0.40", 1, lead=25), 8, brand_first=False)
    offers = {
        t.round: t.move.terms
        for t in played.turns
        if t.side is Side.BRAND and t.move.action is Action.COUNTER and t.move.terms
    }
    before, closing = offers[6], offers[7]
    assert before.lead_time_days == 15 and closing.lead_time_days == 25
    assert closing.unit_price >= before.unit_price
    assert brand.reservation <= brand_utility(closing, brand) < brand_utility(before, brand)


class Deadline:
    """A supplier that concedes 0.20 on price every offer, always at 25 days (its fastest), and
    accepts an offer at 25 days or more and 10.50 or more."""

    def respond(self, state: NegotiationState) -> Move:
        mine = sum(1 for t in state.history if t.side is Side.SUPPLIER)
        ours = [
            t.move.terms
            for t in state.history
            if t.side is Side.BRAND and t.move.action in (Action.PROPOSE, Action.COUNTER)
        ]
        last = ours[-1] if ours else None
        if last is not None and last.lead_time_days >= 25 and last.unit_price >= Decimal("10.50"):
            return Move(Action.ACCEPT, last)
        price = Decimal("13.00") - Decimal("0.20") * mine
        return Move(Action.COUNTER, Terms(price, BRAND.quantity, 25, 30, 12))


def test_the_end_game_offer_puts_lead_time_where_the_supplier_has_offered_it() -> None:
    """Our last offer before our last move is answerable; at 15 days, a lead time faster than
    any the supplier offered, it may break the supplier's limit, and it does here. Price pays for
    the move at the same utility to us, so the supplier accepts our offer instead of our
    accepting its own, worth less to us. Earlier offers keep the lead time we want."""
    for brand_first in (True, False):
        played = play(BrandNegotiator(BRAND, 1), Deadline(), 10, brand_first=brand_first)
        ours = {
            t.round: t.move.terms
            for t in played.turns
            if t.side is Side.BRAND and t.move.action is Action.COUNTER and t.move.terms
        }
        assert ours[9].lead_time_days == 25
        assert all(terms.lead_time_days == 15 for r, terms in ours.items() if r < 9)
        assert played.terms == ours[9]
        assert brand_utility(ours[9], BRAND) > 0.5


class BeyondOurLeadLimit:
    """A supplier that holds 14.00 with 45 days (beyond the brand's 30-day limit) until the
    brand's lead time reaches that limit, then asks 0.50 under the brand's price, still with
    45 days, and repeats that until the end, like a reciprocating agent waiting for a
    concession."""

    def respond(self, state: NegotiationState) -> Move:
        ours = [t.move.terms for t in state.history if t.side is Side.BRAND and t.move.terms]
        reached = [o for o in ours if o.lead_time_days >= BRAND.max_lead_time_days]
        if not reached:
            return Move(Action.COUNTER, Terms(Decimal("14.00"), BRAND.quantity, 45, 0, 12))
        price = reached[0].unit_price - Decimal("0.50")
        return Move(Action.COUNTER, Terms(price, BRAND.quantity, 45, 90, 12))


def test_their_offer_that_is_our_own_inside_our_limits_is_no_floor_for_the_closing_offer() -> None:
    """Their offer brought inside our limits, with our concessions kept, is worth no less than
    our previous offer here (lower price, but a lead time we cannot give): as a floor it would
    have the brand repeat an offer they already turned down on its closing offer, so a
    supplier waiting for a concession never sees one. It is no floor there: the closing offer
    moves towards them."""
    played = play(BrandNegotiator(BRAND, 1), BeyondOurLeadLimit(), 10, brand_first=False)
    offers = {t.round: t.move.terms for t in played.turns if t.side is Side.BRAND}
    assert offers[8] is not None and offers[8].lead_time_days == BRAND.max_lead_time_days
    closing = offers[9]  # the last offer they can answer: they open rounds
    assert closing is not None and closing.unit_price > offers[8].unit_price
    assert closing.lead_time_days == offers[8].lead_time_days
    assert brand_utility(closing, BRAND) >= BRAND.reservation


def test_the_last_answerable_offer_takes_an_offer_worth_what_they_are_heading_to() -> None:
    """On the brand's last offer the seller can answer (round 19 of 20 when the seller opens
    rounds),
    an acceptable offer worth at least what the seller is projected to offer by the deadline is
    taken rather than countered: here a MiCRO seller's final offer would fall under our
    reservation, and countering ended without a deal."""
    setting = discrete_settings(8)[6]
    seller = CLASSIC_AGENTS["micro"](Side.SUPPLIER, setting.rankings()[1], seed=1)
    played = play(BrandNegotiator(setting.brand, 1), seller, setting.max_rounds, brand_first=False)
    last = played.turns[-1]
    assert last.side is Side.BRAND and last.move.action is Action.ACCEPT
    assert last.round == setting.max_rounds - 1
    assert "heading to by the deadline" in last.move.rationale[0]
    assert played.terms == played.turns[-2].move.terms
    assert brand_utility(played.terms, setting.brand) >= setting.brand.reservation


@pytest.mark.parametrize(
    ("round_", "projected", "takes"),
    [(7, 0.5, True), (6, 0.5, False), (7, None, False), (7, 0.7, False)],
)
def test_the_end_game_acceptance_needs_the_last_answerable_offer_and_a_projection(
    round_: int, projected: float | None, takes: bool
) -> None:
    """An offer worth 0.6 to us is taken early only on our last offer they can answer (round 7
    of 8 when they open rounds), and only when it is worth at least their projected deadline
    offer (none for a seller that holds one offer)."""
    brand = BrandNegotiator(BRAND, 1)
    opening = Turn(Side.SUPPLIER, Move(Action.PROPOSE, Terms(Decimal("13.00"), 500, 20, 30, 12)), 1)
    state = NegotiationState(round_, 8, (opening,))
    view = brand._view(state)
    ctx = brand._context(state, view, brand._time(state), BRAND.quantity)
    ctx = ctx._replace(projected_utility=projected)
    assert brand._nothing_better_coming(view, ctx, 0.6) is takes


def _our_setting(index: int) -> Setting:
    """One of the classic tournament's settings on our domain (scenario seed 7)."""
    scenarios = [
        (s.brand, s.supplier, s.max_rounds, s.seed)
        for s in generate_scenarios(40, 7)
        if zopa_exists(s.brand, s.supplier)
    ]
    return our_settings(scenarios, 13)[index]


def test_on_its_last_move_the_brand_probes_a_seller_that_moves_every_round() -> None:
    """When the brand opens rounds its last move is still answered. Against a Boulware seller,
    which moves on every offer and at its deadline takes what clears its reservation, that
    move is the seller's offer with our payment terms (net 45 for its net 0) rather than an
    acceptance, and the seller takes it: worth 0.59 to us instead of 0.50."""
    setting = _our_setting(5)
    seller = CLASSIC_AGENTS["boulware"](Side.SUPPLIER, setting.rankings()[1], seed=1)
    played = play(BrandNegotiator(setting.brand, 1), seller, setting.max_rounds, brand_first=True)
    last, answer = played.turns[-2], played.turns[-1]
    assert last.side is Side.BRAND and last.round == setting.max_rounds
    assert "pareto_probe" in last.move.strategies
    standing = played.turns[-3].move.terms
    assert last.move.terms is not None and standing is not None
    assert last.move.terms.unit_price == standing.unit_price
    assert last.move.terms.payment_terms_days > standing.payment_terms_days
    assert answer.move.action is Action.ACCEPT and played.terms == last.move.terms
    assert brand_utility(played.terms, setting.brand) > brand_utility(standing, setting.brand)


@pytest.mark.parametrize(
    ("setting", "seller", "brand_first"),
    [
        # A setting in which the seller still repeats its offer at the deadline (in others the
        # reciprocity test has it answer, and the deal comes earlier).
        (discrete_settings(20)[16], "naive_tft", True),
        (_our_setting(15), "boulware", False),
    ],
    ids=["a seller that repeats itself", "the very last move"],
)
def test_on_its_last_move_the_brand_accepts_where_a_probe_would_go_unanswered(
    setting: Setting, seller: str, brand_first: bool
) -> None:
    """On its last move the brand accepts the seller's offer rather than probing when the
    probe could not make a deal: a naive tit-for-tat seller that repeats its offer waits for
    us and would counter it, and when the seller opens rounds nothing answers the brand's last
    move at all (here against a Boulware seller, which moves every round)."""
    agent = CLASSIC_AGENTS[seller](Side.SUPPLIER, setting.rankings()[1], seed=1)
    played = play(
        BrandNegotiator(setting.brand, 1), agent, setting.max_rounds, brand_first=brand_first
    )
    last = played.turns[-1]
    assert last.side is Side.BRAND and last.round == setting.max_rounds
    assert last.move.action is Action.ACCEPT
    assert played.terms is not None and played.terms == played.turns[-2].move.terms
