from decimal import Decimal

import pytest

from negotiations.engine import Directive, Guidance, apply_guidance, parse_guidance
from tests.agents.builders import brand_prefs

QUOTE_TARGET, QUOTE_MAX = Decimal("1.95"), Decimal("2.40")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Raise the cap to $2.55.", {"max_price": Decimal("2.55"), "raise_cap": True}),
        ("Don't go above 2.30", {"max_price": Decimal("2.30"), "raise_cap": False}),
        ("Lower the target to 1.90.", {"target_price": Decimal("1.90")}),
        ("Aim for USD 2.05", {"target_price": Decimal("2.05")}),
        ("Prioritise lead time", {"priority": "lead_time"}),
        ("Focus on faster delivery!", {"priority": "lead_time"}),
        ("Push for net 60 payment terms", {"payment_terms_days": 60, "priority": "payment_terms"}),
        ("Accept their offer.", {"directive": Directive.ACCEPT_NOW}),
        ("Take the deal", {"directive": Directive.ACCEPT_NOW}),
        ("Walk away from this one", {"directive": Directive.WALK_AWAY}),
        ("Pause for now", {"pause": True}),
    ],
)
def test_it_reads_each_kind_of_instruction(text, expected):
    guidance = parse_guidance(text)

    for field, value in expected.items():
        assert getattr(guidance, field) == value
    assert guidance.understood
    assert guidance.unapplied == ()


def test_it_reads_several_instructions_in_one_message():
    guidance = parse_guidance("Raise the cap to 2.50 and prioritise lead time. Then pause.")

    assert (guidance.max_price, guidance.raise_cap) == (Decimal("2.50"), True)
    assert guidance.priority == "lead_time"
    assert guidance.pause is True


def test_it_reports_what_it_cannot_apply():
    guidance = parse_guidance("Pause please. Ask them about their ISO certification.")

    assert guidance.pause is True
    assert guidance.unapplied == ("Ask them about their ISO certification",)


def test_a_negated_accept_is_not_a_directive():
    guidance = parse_guidance("Don't accept yet; aim for 2.05")

    assert guidance.directive is None
    assert guidance.target_price == Decimal("2.05")


def test_it_round_trips_through_json():
    guidance = parse_guidance("Raise the cap to 2.50, accept now. Ask about pallets.")

    assert Guidance.from_dict(guidance.to_dict()) == guidance


def apply(guidance: Guidance, prefs=None):
    return apply_guidance(
        prefs or brand_prefs(), guidance, quote_target=QUOTE_TARGET, quote_max=QUOTE_MAX
    )


def test_the_cap_never_exceeds_the_quote_maximum_unless_staff_raise_it():
    prefs, notes = apply(Guidance(max_price=Decimal("2.80")))

    assert prefs.max_price == QUOTE_MAX
    assert "stays at USD 2.40" in notes[0]


def test_staff_can_explicitly_raise_the_cap():
    prefs, notes = apply(Guidance(max_price=Decimal("2.55"), raise_cap=True))

    assert prefs.max_price == Decimal("2.55")
    assert notes == ("Raised the price cap from USD 2.40 to USD 2.55.",)


def test_lowering_the_cap_below_the_target_lowers_the_target():
    prefs, _ = apply(Guidance(max_price=Decimal("1.80")))

    assert (prefs.target_price, prefs.max_price) == (Decimal("1.80"), Decimal("1.80"))


def test_a_target_above_the_cap_is_set_to_the_cap():
    prefs, notes = apply(Guidance(target_price=Decimal("2.90")))

    assert prefs.target_price == QUOTE_MAX
    assert "above the cap" in notes[0]


def test_a_priority_gives_that_issue_the_largest_weight():
    prefs, notes = apply(Guidance(priority="lead_time"))

    weights = prefs.weights.normalised()
    assert weights.lead_time == pytest.approx(0.5)
    assert weights.lead_time > weights.price
    assert notes == ("Prioritising lead time.",)


def test_guidance_applies_cumulatively_from_the_effective_preferences():
    raised, _ = apply(Guidance(max_price=Decimal("2.60"), raise_cap=True))
    prefs, _ = apply(Guidance(target_price=Decimal("2.50")), raised)

    assert (prefs.target_price, prefs.max_price) == (Decimal("2.50"), Decimal("2.60"))
