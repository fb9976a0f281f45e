"""The brand learns the supplier's issue weights and payment ideal from its offers."""

from decimal import Decimal

import pytest

from negotiations.engine import BrandNegotiator, NegotiationState, Side, Terms
from negotiations.engine.arena import play
from negotiations.engine.classic import Linear, Ranking
from negotiations.engine.issue_weights import WeightFit
from negotiations.engine.negotiators.brand import SUPPLIER_WEIGHTS_PRIOR, _pay_ideal
from negotiations.engine.opponent import OpponentModel, model_opponent
from tests.engine.scenarios import BRAND

PRIOR = SUPPLIER_WEIGHTS_PRIOR[:3]
NORMALISED_PRIOR = tuple(w / sum(PRIOR) for w in PRIOR)
PRICES = [Decimal(10) + Decimal("0.5") * k for k in range(9)]  # 10.00 to 14.00
LEADS = (15, 20, 25, 30)
PAYS = (0, 30, 60, 90)
OUTCOMES = tuple(
    Terms(price, BRAND.quantity, lead, pay, 12)
    for price in PRICES
    for lead in LEADS
    for pay in PAYS
)


def _seller_utility(price: float, lead: float, pay: float):
    """A seller's linear utility on ``OUTCOMES`` with these weights: the highest price, the
    longest lead time and the soonest payment are its best."""

    def utility(terms: Terms) -> float:
        return (
            price * (float(terms.unit_price) - 10.0) / 4.0
            + lead * (terms.lead_time_days - 15) / 15
            + pay * (90 - terms.payment_terms_days) / 90
        )

    return utility


def _linear_offers(weights: tuple[float, float, float], count: int = 12) -> list[Terms]:
    """What a linear time-dependent seller with ``weights`` offers over ``count`` rounds of 20."""
    seller = Linear(Side.SUPPLIER, Ranking.build(_seller_utility(*weights), OUTCOMES, 0.0))
    return [seller.bid(seller.time_target(k / 19, seller.e)) for k in range(count)]


def _fit(offers: list[Terms]) -> WeightFit:
    fit = WeightFit(PRIOR, offers[0], float(BRAND.target_price))
    for terms in offers[1:]:
        fit.add(terms)
    return fit


def _offer(price: str, lead: int = 30, pay: int = 0) -> Terms:
    return Terms(Decimal(price), BRAND.quantity, lead, pay, 12)


def test_with_nothing_to_go_on_the_fit_is_the_prior_and_the_payment_hint() -> None:
    """A supplier that repeats itself, or only lowers its price, says nothing about how it
    weighs lead time against payment: the fit keeps the prior, on any price range, and the
    payment ideal read from its offers."""
    for offers in (
        [_offer("14.00")] * 4,
        [_offer("14.00"), _offer("13.50"), _offer("13.20"), _offer("13.00")],
    ):
        fit = _fit(offers)
        for floor in (10.0, 8.0):
            assert fit.weights(30, floor) == (NORMALISED_PRIOR, 30)


@pytest.mark.parametrize(
    ("weights", "heaviest"),
    [((0.2, 0.6, 0.2), 1), ((0.7, 0.15, 0.15), 0), ((0.2, 0.2, 0.6), 2)],
)
def test_the_fit_finds_the_issue_a_conceding_supplier_weighs_most(
    weights: tuple[float, float, float], heaviest: int
) -> None:
    """A time-dependent seller's offers, least above its falling target, wander over its outcome
    space; the weights under which they never rise in its utility are near its own. The prior
    weighs price most whatever the seller."""
    offers = _linear_offers(weights)
    assert len(set(offers)) >= 5
    fitted, _ = _fit(offers).weights(0, float(BRAND.target_price))
    assert max(range(3), key=lambda i: fitted[i]) == heaviest
    assert sum(fitted) == pytest.approx(1.0)
    distance = sum((a - b) ** 2 for a, b in zip(fitted, weights, strict=True))
    assert distance < sum((a - b) ** 2 for a, b in zip(NORMALISED_PRIOR, weights, strict=True))


def test_a_payment_term_offered_back_after_a_longer_one_reads_as_costing_it_nothing() -> None:
    """A supplier that opened at net 0, then offered net 60 and then net 30, each time for a
    little less money: read with net 0 (or 30, or 45) as its ideal, the step from 60 back to 30
    days would be a gain worth more than the price it gave. It is indifferent up to net 60."""
    offers = [_offer("14.00", pay=0), _offer("13.95", pay=60), _offer("13.90", pay=30)]
    _, ideal = _fit(offers).weights(0, float(BRAND.target_price))
    assert ideal == 60


def test_learned_weights_are_rescaled_to_the_estimates_price_range() -> None:
    """The fit scores price from the opening down to our target; an estimate that scores it
    over a wider range (down to a lower projected price) gives price a larger weight, so that
    every step the fit measured is worth the same to the supplier."""
    fit = _fit(_linear_offers((0.2, 0.6, 0.2)))
    narrow, _ = fit.weights(0, float(BRAND.target_price))
    wide, _ = fit.weights(0, float(BRAND.target_price) - 2.0)
    assert narrow != NORMALISED_PRIOR
    assert wide[0] > narrow[0]
    assert wide[1] / wide[2] == pytest.approx(narrow[1] / narrow[2])
    assert sum(wide) == pytest.approx(1.0)


def test_the_brands_estimate_of_the_supplier_is_the_fit() -> None:
    """The brand scores the supplier's offers with the learned payment ideal (here net 60,
    where its reading of the offers alone says net 0) and the learned weights."""
    offers = [_offer("14.00", pay=0), _offer("13.95", pay=60), _offer("13.90", pay=30)]
    brand = BrandNegotiator(BRAND, 3)
    model = _model(brand, offers)
    assert _pay_ideal(model) == 0
    estimate = brand._estimate_opponent(model)
    weights, ideal = _fit(offers).weights(0, estimate.price_worst)
    assert estimate.pay_best == ideal == 60
    assert (estimate.w_price, estimate.w_lead, estimate.w_pay) == pytest.approx(weights)


def _model(brand: BrandNegotiator, offers: list[Terms]) -> OpponentModel:
    """The brand's opponent model of ``offers``, made one a round."""
    timed = [(k / 10, terms) for k, terms in enumerate(offers)]
    return model_opponent(timed, brand.scorer.price_value, brand.scorer.price_shift)


def test_the_brand_fits_whichever_offers_it_is_asked_about() -> None:
    """Asked about one supplier's offers and then another's, outside a negotiation it is
    playing, the brand's estimate of each is a fresh brand's: it does not go on from the
    first supplier's fit."""
    brand = BrandNegotiator(BRAND, 3)
    first = [_offer("14.00", pay=0), _offer("13.95", pay=60), _offer("13.90", pay=30)]
    second = _linear_offers((0.2, 0.6, 0.2), 14)
    for offers in (first, second, first):
        model = _model(brand, offers)
        fresh = BrandNegotiator(BRAND, 3)
        assert brand._estimate_opponent(model) == fresh._estimate_opponent(model)


def test_a_brand_asked_move_after_move_learns_as_a_fresh_one_would() -> None:
    """The fit folds in only the offers it has not seen: against a classic seller whose offers
    move every issue, every move of the played negotiation, and the estimate of the seller
    behind it, is what a fresh brand makes of the same state, forwards and out of order."""
    seller = Linear(Side.SUPPLIER, Ranking.build(_seller_utility(0.2, 0.6, 0.2), OUTCOMES, 0.0))
    played = play(BrandNegotiator(BRAND, 3), seller, 20)
    assert len({t.move.terms for t in played.turns if t.side is Side.SUPPLIER}) >= 8
    reused = BrandNegotiator(BRAND, 3)
    states = [
        NegotiationState(turn.round, 20, played.turns[:i])
        for i, turn in enumerate(played.turns)
        if turn.side is Side.BRAND
    ]
    for state in [*states, *reversed(states)]:
        fresh = BrandNegotiator(BRAND, 3)
        assert reused.respond(state) == fresh.respond(state)
        model = fresh._view(state).opponent
        if model.offers:
            assert reused._estimate_opponent(model) == fresh._estimate_opponent(model)


def test_folded_in_one_at_a_time_the_fit_is_the_fit_of_every_offer_so_far() -> None:
    """Each answer (asked after every offer, the same question each time) is what a fit of
    all the offers so far gives, repeats included: a repeat is counted but not scored, and a
    new offer replaces the answer kept for the question."""
    offers = _linear_offers((0.2, 0.6, 0.2), 14)
    offers = [offers[0], offers[0], offers[0], *offers[1:]]
    incremental = WeightFit(PRIOR, offers[0], float(BRAND.target_price))
    answers = []
    for k, terms in enumerate(offers[1:], start=2):
        incremental.add(terms)
        assert incremental.count == k
        answers.append(incremental.weights(0, float(BRAND.target_price)))
        assert answers[-1] == _fit(offers[:k]).weights(0, float(BRAND.target_price))
    assert len(set(answers)) >= 2  # the offers taught it something along the way


@pytest.mark.parametrize(
    "offers",
    [
        # Lead time past its opening one: no better for it than its opening lead time.
        [_offer("14.00", lead=20), _offer("13.90", lead=30), _offer("13.80", lead=45)],
        # Payment past net 90: no worse for it than net 90.
        [_offer("14.00", pay=0), _offer("13.90", pay=120), _offer("13.80", pay=90)],
        # A higher unit price for a smaller order: not a step back on price.
        [_offer("14.00"), _offer("13.00"), Terms(Decimal("13.50"), 300, 30, 0, 12)],
    ],
)
def test_steps_outside_the_estimates_ranges_teach_nothing(offers: list[Terms]) -> None:
    """Scored as the estimate scores them (clamped to its ranges, for one order size), these
    offers only fall in the supplier's utility, whatever the weights: the fit stays the
    prior."""
    assert _fit(offers).weights(0, float(BRAND.target_price)) == (NORMALISED_PRIOR, 0)


def test_an_opening_off_the_standard_payment_terms_is_a_candidate_ideal() -> None:
    """A supplier opening at net 20 that teaches nothing keeps the ideal read from its
    offers (net 20), not the next standard term."""
    offers = [_offer("14.00", pay=20), _offer("13.50", pay=20)]
    assert _fit(offers).weights(20, float(BRAND.target_price)) == (NORMALISED_PRIOR, 20)


def test_a_supplier_opening_under_our_target_still_has_a_price_range() -> None:
    """Its price is scored over at least a fifth of its opening price, not over the nothing
    between its opening and our target: its steps are measured trades (here it took back
    lead time it had given for little money, which says lead time weighs little), and
    rescaled to the estimate's wider range the learned price weight stays one weight among
    others."""
    offers = [_offer("9.50", lead=30), _offer("9.40", lead=20), _offer("9.35", lead=28)]
    weights, _ = _fit(offers).weights(0, 8.0)
    assert weights != NORMALISED_PRIOR
    assert weights[1] == min(weights)
    assert weights[0] < 0.9
    assert sum(weights) == pytest.approx(1.0)
