"""The evaluation of a quote whose negotiations have ended: money left on the table, and a
ranking that reads the agreed terms alone (not slots, endings or opening offers)."""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from negotiations import services
from negotiations.engine import Terms, brand_utility, estimated_room, supplier_utility
from negotiations.engine.analysis import pareto_distance
from negotiations.models import NegotiationStatus, QuoteStatus, Sender
from negotiations.services.preferences import brand_preferences, supplier_preferences
from tests.factories import MessageFactory, NegotiationFactory, QuoteFactory, SupplierFactory

pytestmark = pytest.mark.django_db

QUANTITY = 5000


def _terms(price: str, *, lead: int = 21, pay: int = 30, warranty: int = 12) -> dict:
    return Terms(Decimal(price), QUANTITY, lead, pay, warranty).to_dict()


def _agreed(quote, supplier, slot: int, offers: list[str], final: dict, ended_minutes: int = 0):
    """An agreed negotiation: the supplier offered ``offers`` round by round (the brand's
    counters in between), then agreed on ``final``."""
    negotiation = NegotiationFactory(
        quote=quote,
        supplier=supplier,
        slot=slot,
        status=NegotiationStatus.AGREED,
        final_terms=final,
        ended_at=timezone.now() + timedelta(minutes=ended_minutes),
    )
    for round_, price in enumerate(offers, start=1):
        MessageFactory(
            negotiation=negotiation,
            seq=2 * round_ - 1,
            round=round_,
            sender=Sender.BRAND,
            action="counter",
            terms=_terms("1.80"),
        )
        MessageFactory(
            negotiation=negotiation,
            seq=2 * round_,
            round=round_,
            sender=Sender.SUPPLIER,
            action="counter" if round_ > 1 else "propose",
            terms=_terms(price),
        )
    return negotiation


def _quote(organisation, **changes):
    return QuoteFactory(
        organisation=organisation,
        created_by=None,
        quantity=QUANTITY,
        status=QuoteStatus.AWAITING_APPROVAL,
        started_at=timezone.now(),
        **changes,
    )


def _evaluated(quote) -> dict:
    services.quote_evaluate(quote=quote)
    quote.refresh_from_db()
    return quote.recommendation


def test_each_deal_shows_the_money_it_left_on_the_table(organisation):
    quote = _quote(organisation)
    supplier = SupplierFactory(organisation=organisation, cost_floor=Decimal("1.70"))
    offers = ["2.50", "2.40", "2.32", "2.26", "2.22", "2.19"]
    final = _terms("2.15", pay=45)
    negotiation = _agreed(quote, supplier, 1, offers, final)
    [entry] = _evaluated(quote)["ranking"]

    brand, simulated = brand_preferences(negotiation), supplier_preferences(supplier)
    agreed = Terms.from_dict(final)
    # The estimate: the supplier's offers only, through the engine's opponent model.
    estimate = estimated_room(
        [(r, Terms.from_dict(_terms(p))) for r, p in enumerate(offers, start=1)],
        agreed,
        brand,
        quote.max_rounds,
    )
    assert estimate is not None and estimate.method == "curve"
    assert Decimal(entry["left_on_table"]) == pytest.approx(
        Decimal(repr(estimate.per_unit)) * QUANTITY, abs=Decimal("0.01")
    )
    assert entry["left_on_table_method"] == "curve"
    low, high = (Decimal(v) for v in entry["left_on_table_range"])
    assert low <= Decimal(entry["left_on_table"]) <= high
    # Known exactly for a simulated supplier: down to its cost floor (it has no reservation).
    assert entry["left_on_table_known"] == "2250.00"  # (2.15 - 1.70) x 5000
    assert entry["supplier_floor_known"] == "1.70"
    # The Pareto gap is the engine's analysis of the agreement's two utilities.
    point = (brand_utility(agreed, brand), supplier_utility(agreed, simulated))
    assert entry["pareto_distance"] == round(pareto_distance(point, brand, simulated), 4)


def test_the_recommendation_explains_the_money_left_on_the_table(organisation):
    quote = _quote(organisation)
    supplier = SupplierFactory(organisation=organisation, cost_floor=Decimal("1.70"))
    _agreed(quote, supplier, 1, ["2.50", "2.30"], _terms("2.20"))
    reasons = " ".join(_evaluated(quote)["reasons"])
    assert "Money left on the table (estimate): about" in reasons
    assert "its pace between its first and last offers" in reasons
    assert "Known for this simulated supplier: 2500.00 USD left on the table" in reasons
    assert "from the Pareto frontier" in reasons
    assert "not in the score" in reasons  # savings against the opening, for information


def test_the_recommendation_gives_each_runner_ups_money_left_on_the_table(organisation):
    quote = _quote(organisation)
    best = SupplierFactory(organisation=organisation, name="Acme Glass")
    runner_up = SupplierFactory(organisation=organisation, name="Zulu Glass")
    _agreed(quote, best, 1, ["2.50", "2.30"], _terms("2.00"))
    _agreed(quote, runner_up, 2, ["2.60", "2.40"], _terms("2.30"))
    recommendation = _evaluated(quote)
    entry = next(e for e in recommendation["ranking"] if e["supplier"] == "Zulu Glass")
    [line] = [r for r in recommendation["reasons"] if r.startswith("Zulu Glass (")]
    assert line.endswith(
        f"money left on the table: about {entry['left_on_table']} USD (estimate), "
        "3000.00 USD known."  # (2.30 - 1.70) x 5000
    )


def test_a_deal_after_a_single_offer_has_no_estimate_but_its_known_room(organisation):
    quote = _quote(organisation)
    supplier = SupplierFactory(organisation=organisation, cost_floor=Decimal("1.70"))
    _agreed(quote, supplier, 1, ["2.10"], _terms("2.10"))
    recommendation = _evaluated(quote)
    [entry] = recommendation["ranking"]
    assert entry["left_on_table"] is None and entry["left_on_table_known"] == "2000.00"
    assert any("no estimate" in r for r in recommendation["reasons"])


# Three deals (two of them equal) and how each supplier opened; the permutations below shuffle
# who sits in which slot, who ended first and who opened where.
DEALS = {
    "Pacific Glassworks": (_terms("2.05", lead=30, pay=60), Decimal("4.5")),
    "Northwind Packaging": (_terms("1.99", lead=35, pay=30), Decimal("4.0")),
    "Lumen Bottle Co.": (_terms("1.99", lead=35, pay=30), Decimal("4.0")),
}
OPENINGS = [["2.40", "2.20"], ["3.90", "2.60", "2.30"], ["2.12", "2.11"]]


def _outcome(recommendation: dict) -> tuple:
    recommended = next(
        e["supplier"]
        for e in recommendation["ranking"]
        if e["negotiation_id"] == recommendation["recommended_negotiation_id"]
    )
    return recommended, tuple((e["supplier"], e["score"]) for e in recommendation["ranking"])


def test_the_recommendation_does_not_depend_on_slots_endings_or_openings(organisation):
    suppliers = {
        name: SupplierFactory(organisation=organisation, name=name, reliability=reliability)
        for name, (_, reliability) in DEALS.items()
    }
    outcomes = set()
    for order, openings in itertools.product(
        itertools.permutations(DEALS), itertools.permutations(OPENINGS)
    ):
        quote = _quote(organisation)
        for slot, (name, opening) in enumerate(zip(order, openings, strict=True), start=1):
            # The slot order is also the order of ending: slot 1 ended first.
            _agreed(quote, suppliers[name], slot, opening, DEALS[name][0], ended_minutes=slot)
        outcomes.add(_outcome(_evaluated(quote)))
    assert len(outcomes) == 1
    [(recommended, ranking)] = outcomes
    names = [name for name, _ in ranking]
    assert names[0] == recommended and len(names) == 3
    # The equal pair in the stated order, whichever slot each sat in.
    assert names.index("Lumen Bottle Co.") < names.index("Northwind Packaging")


@pytest.mark.parametrize("zulu_slot", [1, 2])
def test_equal_scores_are_broken_by_the_stated_rule_not_by_the_slot(organisation, zulu_slot):
    quote = _quote(organisation)
    acme = SupplierFactory(organisation=organisation, name="Acme Glass")
    zulu = SupplierFactory(organisation=organisation, name="Zulu Glass")
    same = _terms("2.00")
    _agreed(quote, zulu, zulu_slot, ["2.30", "2.10"], same)
    _agreed(quote, acme, 3 - zulu_slot, ["2.60", "2.20"], same)  # opened higher: no matter
    recommendation = _evaluated(quote)
    first, second = recommendation["ranking"]
    assert first["score"] == second["score"]
    assert (first["supplier"], second["supplier"]) == ("Acme Glass", "Zulu Glass")
    assert first["negotiation_id"] == recommendation["recommended_negotiation_id"]
    assert (
        "Acme Glass and Zulu Glass score the same; the supplier's name in alphabetical order "
        "decides." in recommendation["reasons"]
    )
    assert "alphabetical" in recommendation["ranking_rule"]


def test_on_equal_scores_the_lower_cost_after_payment_terms_wins(organisation):
    quote = _quote(organisation, weight_payment_terms=0, weight_price=70, weight_lead_time=30)
    # The brand gives payment terms no weight, so both score the same; net 60 still costs less.
    net_30 = SupplierFactory(organisation=organisation, name="Acme Glass")
    net_60 = SupplierFactory(organisation=organisation, name="Zulu Glass")
    _agreed(quote, net_30, 1, ["2.30"], _terms("2.00", pay=30))
    _agreed(quote, net_60, 2, ["2.30"], _terms("2.00", pay=60))
    recommendation = _evaluated(quote)
    first, second = recommendation["ranking"]
    assert first["score"] == second["score"]
    assert first["supplier"] == "Zulu Glass"
    assert any(
        "the lower cost after the value of payment terms decides" in r
        for r in recommendation["reasons"]
    )


def test_when_two_deals_are_worth_the_same_the_reason_names_the_reliability(organisation):
    quote = _quote(organisation)
    steady = SupplierFactory(organisation=organisation, name="Zulu Glass", reliability="4.50")
    shaky = SupplierFactory(organisation=organisation, name="Acme Glass", reliability="3.00")
    _agreed(quote, shaky, 1, ["2.30"], _terms("2.00"))
    _agreed(quote, steady, 2, ["2.30"], _terms("2.00"))
    recommendation = _evaluated(quote)
    assert [e["supplier"] for e in recommendation["ranking"]] == ["Zulu Glass", "Acme Glass"]
    [reason] = [r for r in recommendation["reasons"] if "worth the same" in r]
    assert reason.startswith("Zulu Glass and Acme Glass are worth the same to you (")
    assert reason.endswith("Zulu Glass's reliability (4.50 against 3.00) decides.")
