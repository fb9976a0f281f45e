from decimal import Decimal

import pytest
from hypothesis import given

from negotiations.engine import Action, Move, Side, Terms, Turn, standing_offer
from tests.engine.generators import moves, terms


def _terms(price: str = "12.50") -> Terms:
    return Terms(Decimal(price), 100, 30, 60, 12)


def test_terms_quantise_prices_to_cents() -> None:
    assert _terms("12.345").unit_price == Decimal("12.35")


def test_terms_replace_changes_only_what_it_names_and_rejects_unknown_fields() -> None:
    changed = _terms().replace(unit_price=Decimal("9.999"), lead_time_days=5)
    assert changed == Terms(Decimal("10.00"), 100, 5, 60, 12)
    with pytest.raises(TypeError, match="no field price"):
        _terms().replace(price=Decimal("1"))
    with pytest.raises(ValueError, match="quantity"):
        _terms().replace(quantity=True)


def test_terms_to_dict_is_json_safe() -> None:
    assert _terms().to_dict() == {
        "unit_price": "12.50",
        "quantity": 100,
        "lead_time_days": 30,
        "payment_terms_days": 60,
        "warranty_months": 12,
        "currency": "USD",
    }


@given(terms())
def test_terms_round_trip_through_dict(t: Terms) -> None:
    assert Terms.from_dict(t.to_dict()) == t


@given(moves())
def test_moves_round_trip_through_dict(move: Move) -> None:
    assert Move.from_dict(move.to_dict()) == move


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"unit_price": "abc"}, "unit_price is not a number"),
        ({"unit_price": "NaN"}, "not finite"),
        ({"quantity": True}, "quantity must be an int"),
        ({"quantity": 0}, "quantity must be >= 1"),
        ({"lead_time_days": -1}, r"lead_time_days must be an int in 0\.\.3650"),
        ({"unit_price": "-1"}, "unit_price must be in"),
        ({"unit_price": "1E+30"}, "unit_price must be in"),
        ({"unit_price": "Infinity"}, "not finite"),
        ({"warranty_months": 10**12}, r"warranty_months must be an int in 0\.\.240"),
        ({"quantity": 2**63}, "quantity must be an int in"),
        ({"currency": "dollars"}, "currency"),
    ],
)
def test_terms_from_dict_names_the_bad_field(change: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Terms.from_dict({**_terms().to_dict(), **change})


def test_terms_from_dict_reports_missing_fields() -> None:
    data = _terms().to_dict()
    del data["warranty_months"]
    with pytest.raises(ValueError, match="warranty_months is missing"):
        Terms.from_dict(data)


def test_move_from_dict_rejects_unknown_actions() -> None:
    with pytest.raises(ValueError, match=r"move\.action"):
        Move.from_dict({"action": "haggle"})


def test_standing_offer_is_the_sides_latest_offer() -> None:
    first, second = _terms("10.00"), _terms("11.00")
    history = (
        Turn(Side.BRAND, Move(Action.PROPOSE, first), 1),
        Turn(Side.SUPPLIER, Move(Action.COUNTER, _terms("20.00")), 1),
        Turn(Side.BRAND, Move(Action.COUNTER, second), 2),
        Turn(Side.BRAND, Move(Action.MESSAGE), 2),
    )
    assert standing_offer(history, Side.BRAND) == second
    assert standing_offer(history, Side.SUPPLIER) == _terms("20.00")
    assert standing_offer((), Side.SUPPLIER) is None
