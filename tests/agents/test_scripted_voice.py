"""The scripted voice: deterministic for a seed, a manner per temperament, guidance stated."""

import dataclasses

import pytest

from negotiations.agents import take_turn
from negotiations.agents.scripted import SUPPLIER_MANNER
from negotiations.engine import Action, Move, Side, brand_limit_violations
from tests.agents.builders import after, context, offer, play


@pytest.fixture(autouse=True)
def scripted(settings):
    settings.PROCUR_LLM = "scripted"


def test_the_same_seed_writes_the_same_negotiation():
    first = [r.text for _, r in play(context(seed=11), 10)]
    second = [r.text for _, r in play(context(seed=11), 10)]

    assert first == second


def test_another_seed_words_it_differently():
    texts = {tuple(r.text for _, r in play(context(seed=seed), 6)) for seed in range(4)}

    assert len(texts) == 4


def supplier_texts(temperament: str) -> set[str]:
    brand_offer = Move(Action.PROPOSE, offer("1.80"))
    return {
        take_turn(
            context(
                Side.SUPPLIER,
                history=after(Side.BRAND, brand_offer, 2),
                temperament=temperament,
                seed=seed,
            )
        ).text
        for seed in range(6)
    }


def test_each_supplier_temperament_has_its_own_manner():
    texts = {t: supplier_texts(t) for t in SUPPLIER_MANNER}

    for temperament, written in texts.items():
        own = [p.split("{")[0] for p in SUPPLIER_MANNER[temperament]["counter"]]
        others = [
            p.split("{")[0]
            for other, manner in SUPPLIER_MANNER.items()
            if other != temperament
            for p in manner["counter"]
        ]
        assert all(any(o in text for o in own) for text in written), temperament
        assert not any(o in text for text in written for o in others), temperament


def test_a_scripted_turn_voices_the_engines_move_and_records_the_call():
    ctx = context(Side.BRAND)

    turn = take_turn(ctx)

    assert turn.move.action is Action.PROPOSE
    assert str(turn.move.terms.unit_price) in turn.text
    assert f"{ctx.quote.quantity:,} bottles" in turn.text
    (call,) = turn.calls
    assert (call.voice, call.prompt, call.parsed_move) == ("scripted", None, turn.move.to_dict())
    assert call.engine_input["side"] == "brand"


def test_how_the_brand_applied_staff_guidance_never_reaches_its_text():
    notes = ("Raised the price cap from USD 2.40 to USD 2.55.", "Prioritising lead time.")
    ctx = context(Side.BRAND, guidance_notes=notes)

    turn = take_turn(ctx)

    assert turn.text == take_turn(context(Side.BRAND)).text
    assert "Staff guidance" not in turn.text
    assert not {"2.40", "2.55", "lead time"} & {w.strip(".,") for w in turn.text.split()}
    assert turn.violations == ()


def test_the_supplier_never_states_the_brands_guidance():
    ctx = context(Side.SUPPLIER, history=after(Side.BRAND, Move(Action.PROPOSE, offer("2")), 1))

    turn = take_turn(dataclasses.replace(ctx, guidance_notes=("Raised the cap.",)))

    assert "Staff guidance" not in turn.text


def test_a_brand_question_goes_to_staff():
    history = after(
        Side.SUPPLIER, Move(Action.MESSAGE, question="Are partial shipments acceptable?"), 2
    )
    ctx = context(Side.BRAND, history=history, questions_left=2)

    turn = take_turn(ctx)

    assert turn.move.action is Action.ASK_INFO
    assert turn.text.startswith("Question for our team:")
    assert "Are partial shipments acceptable?" in turn.text


@pytest.mark.parametrize("temperament", list(SUPPLIER_MANNER))
def test_a_scripted_negotiation_ends_inside_the_brands_limits(temperament):
    played = play(context(temperament=temperament, max_rounds=8), 16)

    for ctx, turn in played:
        assert turn.text.strip()
        if ctx.side is Side.BRAND and turn.move.terms is not None:
            assert brand_limit_violations(turn.move.terms, ctx.brand) == []
