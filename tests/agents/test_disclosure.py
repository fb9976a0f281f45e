"""The brand's text is checked in code before it is stored: no confidential figure, no other
supplier's name, no staff text, no competing price that no real offer supports."""

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiations.agents import take_turn
from negotiations.agents.disclosure import (
    Confidential,
    citable_competing_prices,
    disclosure_problems,
    price_figures,
)
from negotiations.agents.scripted import scripted_text
from negotiations.agents.turn import engine_proposal
from negotiations.engine import Action, Move, Side
from tests.agents.builders import after, brand_prefs, context, offer
from tests.agents.llm import move_input

SUPPLIER_OFFER = Move(Action.COUNTER, offer("2.30", lead_time_days=30))
CONFIDENTIAL = Confidential(
    figures=(Decimal("2.40"), Decimal("1.95"), Decimal("2.22")),
    names=("Pacific Glassworks", "Lumen Bottle Co."),
    staff_texts=("Keep them keen, we really need this order before the launch.",),
)


def brand_context(**changes):
    history = (
        *after(Side.BRAND, Move(Action.PROPOSE, offer("1.80")), 1),
        *after(Side.SUPPLIER, SUPPLIER_OFFER, 1),
    )
    return context(Side.BRAND, history=history, **{"confidential": CONFIDENTIAL, **changes})


def says(text: str, price: str = "2.00", **terms) -> dict:
    return move_input("counter", price, **terms) | {"message": text}


def test_price_figures_are_prices_not_counts_durations_or_terms():
    text = (
        "USD 2.10 per unit for 5,000 bottles, delivery in 30 days, net 45, a 12-month "
        "warranty, 3 rounds left, 10% more; our limit is $2.4 and 1,250.50 in total."
    )

    assert price_figures(text, "bottles") == [Decimal("2.10"), Decimal("2.40"), Decimal("1250.50")]


LEAKS = {
    "the maximum": "Between us, our ceiling is USD 2.40, so 2.00 is not the end.",
    "the maximum, briefly": "We could stretch to 2.4 at most.",
    "the target": "We are aiming for 1.95 a bottle; today we offer 2.00.",
    "a staff figure": "Our team would accept 2.22, but we offer 2.00.",
    "another supplier's name": "Pacific Glassworks has offered better; we offer 2.00.",
    "another supplier's name, in lower case": "lumen bottle co. is cheaper. 2.00 it is.",
    "staff's own words": "Honestly, we really need this order before the launch. We offer 2.00.",
}


@pytest.mark.parametrize("leak", list(LEAKS))
def test_a_leaking_model_text_is_replaced_by_the_scripted_text_for_the_same_move(
    fake_anthropic, leak
):
    fake_anthropic.tool_call(says(LEAKS[leak]))
    ctx = brand_context()

    turn = take_turn(ctx)

    assert turn.move.action is Action.COUNTER and turn.move.terms.unit_price == Decimal("2.00")
    assert turn.text == scripted_text(ctx, turn.move)
    assert turn.text != LEAKS[leak]
    assert turn.violations and all(v.startswith("message text ") for v in turn.violations)
    assert "replaced by the scripted voice's text" in turn.calls[-1].fallback_reason
    assert disclosure_problems(ctx, turn.move, turn.text) == []


def test_a_raised_cap_is_confidential_too(fake_anthropic):
    fake_anthropic.tool_call(says("We can go to 2.55 if we must; for now 2.00."))
    ctx = brand_context(brand=brand_prefs(max_price=Decimal("2.55")))

    turn = take_turn(ctx)

    assert turn.violations == ("message text states the confidential figure USD 2.55",)


def test_the_reservation_price_is_confidential():
    ctx = brand_context(brand=brand_prefs(reservation=0.5), confidential=Confidential())
    move = Move(Action.COUNTER, offer("2.00"))

    leaked = {
        price
        for price in (Decimal(cents) / 100 for cents in range(150, 300))
        if disclosure_problems(ctx, move, f"Our walk-away price is {price:.2f}.")
    }

    # The target, the maximum and, between them, the price at the brand's reservation.
    assert min(leaked) == Decimal("1.95") and max(leaked) == Decimal("2.40")
    assert len(leaked) == 3


def test_stating_an_offer_on_the_table_is_no_leak(fake_anthropic):
    fake_anthropic.tool_call(says("Our final offer is our maximum: 2.40.", price="2.40"))

    turn = take_turn(brand_context())

    assert turn.text == "Our final offer is our maximum: 2.40."
    assert turn.violations == ()


def test_the_suppliers_own_figures_may_be_repeated(fake_anthropic):
    fake_anthropic.tool_call(says("Your 2.30 is too high for us; we offer 2.00."))

    turn = take_turn(brand_context())

    assert turn.violations == ()


def test_the_supplier_side_is_not_checked_for_the_brands_secrets():
    ctx = dataclasses.replace(brand_context(), side=Side.SUPPLIER)

    assert disclosure_problems(ctx, SUPPLIER_OFFER, "Pacific Glassworks, 2.40") == []


# Competing offers: as good as the supplier's (30 days, net 30, 12 months) or not.
AS_GOOD = offer("2.10", lead_time_days=25, payment_terms_days=45)
SLOWER = offer("1.90", lead_time_days=60)
PARTIAL = offer("1.85", quantity=1000)


def leverage_context():
    return brand_context(competing_offers=(AS_GOOD, SLOWER, PARTIAL))


def test_only_competing_offers_at_least_as_good_on_terms_may_be_cited():
    ctx = leverage_context()

    assert citable_competing_prices(
        ctx.state.competing_offers, ctx.brand.quantity, "USD", SUPPLIER_OFFER.terms
    ) == {Decimal("2.10")}


@pytest.mark.parametrize(
    ("text", "honest"),
    [
        ("We have a competing offer at USD 2.10 per unit. We offer 2.00.", True),
        ("Another supplier quoted us 1.90. We offer 2.00.", False),  # slower delivery
        ("A competitor offers 1.85 per bottle. We offer 2.00.", False),  # a partial order
        ("Other suppliers are at 1.50. We offer 2.00.", False),  # no such offer
        ("Competing offers are around 2.00, which we offer.", True),  # our own offer
    ],
)
def test_a_misquoted_competing_price_is_caught_in_the_llm_voice(fake_anthropic, text, honest):
    fake_anthropic.tool_call(says(text))

    turn = take_turn(leverage_context())

    assert (turn.text == text) is honest
    assert any("cites a competing price" in v for v in turn.violations) is not honest


def test_the_scripted_voice_cites_only_an_honest_competing_price():
    ctx = leverage_context()
    move = Move(Action.COUNTER, offer("2.00"), strategies=("competitor_leverage",))

    texts = {scripted_text(dataclasses.replace(ctx, seed=seed), move) for seed in range(6)}

    assert any("USD 2.10 per unit" in t for t in texts if "compet" in t or "other" in t)
    assert not any("1.90" in t or "1.85" in t for t in texts)
    assert all(disclosure_problems(ctx, move, t) == [] for t in texts)


def test_the_scripted_voice_cites_no_price_when_no_competing_offer_is_as_good():
    ctx = brand_context(competing_offers=(SLOWER, PARTIAL))
    move = Move(Action.COUNTER, offer("2.00"), strategies=("competitor_leverage",))

    texts = [scripted_text(dataclasses.replace(ctx, seed=seed), move) for seed in range(6)]

    assert not any("1.90" in t or "1.85" in t for t in texts)
    assert all(disclosure_problems(ctx, move, t) == [] for t in texts)


def test_the_scripted_brand_never_needs_its_text_replaced(settings):
    settings.PROCUR_LLM = "scripted"
    ctx = leverage_context()

    turn = take_turn(ctx)

    assert turn.move == engine_proposal(ctx)
    assert not any(v.startswith("message text") for v in turn.violations)


def test_the_brands_model_is_told_which_competing_prices_it_may_cite(fake_anthropic):
    fake_anthropic.tool_call(says("We offer 2.00."))

    take_turn(leverage_context())

    turn_block = fake_anthropic.requests[0]["messages"][0]["content"][-1]["text"]
    assert "Competing prices you may cite (never name the supplier): USD 2.10." in turn_block


PHRASINGS = (
    "Between us, our ceiling is USD {x}.",
    "We can't go past ${x} a bottle.",
    "Our budget tops out at {x} per unit, but we offer {o}.",
    "Honestly {x} is the most we could ever pay.",
)


@settings(max_examples=200, deadline=None)
@given(
    st.decimals(min_value=Decimal("0.50"), max_value=Decimal("999"), places=2),
    st.decimals(min_value=Decimal("0"), max_value=Decimal("0.95"), places=2),
    st.sampled_from(PHRASINGS),
)
def test_any_statement_of_the_ceiling_is_caught_unless_it_is_the_offer(cap, share, phrasing):
    ctx = brand_context(
        brand=brand_prefs(target_price=Decimal("0.50"), max_price=cap),
        confidential=Confidential(),
    )
    offered = (cap * (1 - share)).quantize(Decimal("0.01"))
    move = Move(Action.COUNTER, offer(str(offered)))

    problems = disclosure_problems(ctx, move, phrasing.format(x=cap, o=offered))

    leaked = cap not in {offered, Decimal("1.80"), Decimal("2.30")}  # offers on the table
    assert (f"states the confidential figure USD {cap}" in problems) is leaked
