"""Negotiable terms of a procurement deal."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
PAYMENT_TERMS_DAYS: tuple[int, ...] = (0, 30, 45, 60, 90)
"""Payment terms the negotiators choose from (net days)."""
MAX_UNIT_PRICE = Decimal("1000000000")
UPPER_BOUNDS: dict[str, int] = {
    "quantity": 1_000_000_000,
    "lead_time_days": 3650,
    "payment_terms_days": 365,
    "warranty_months": 240,
}
"""Beyond these a figure is no real offer (a model's 1E+30, a warranty of 10**12 months), and
storing or scoring it could overflow."""
_QUANTITY_BOUND, _LEAD_BOUND, _PAY_BOUND, _WARRANTY_BOUND = UPPER_BOUNDS.values()
_ZERO = Decimal(0)  # compared with every price: an int would be converted each time


def money(value: Decimal | float | int | str, rounding: str = ROUND_HALF_UP) -> Decimal:
    """Quantise a price to cents (half up unless told); floats go through ``repr`` to avoid
    binary noise."""
    if isinstance(value, float):
        value = repr(value)
    return Decimal(value).quantize(CENT, rounding=rounding)


@dataclass(frozen=True, slots=True)
class Terms:
    """One complete offer. Prices are per unit, quantised to cents."""

    unit_price: Decimal
    quantity: int
    lead_time_days: int
    payment_terms_days: int
    warranty_months: int
    currency: str = "USD"
    price: float = field(init=False, repr=False, compare=False)
    """``unit_price`` as a float, what utilities are computed with (converted once: a Decimal's
    conversion costs more than the arithmetic done with it)."""

    def __post_init__(self) -> None:
        price = self.unit_price
        if type(price) is not Decimal:
            price = Decimal(repr(price)) if isinstance(price, float) else Decimal(price)
        if not (price.is_finite() and _ZERO <= price <= MAX_UNIT_PRICE):
            raise ValueError(f"unit_price must be in 0..{MAX_UNIT_PRICE}, got {self.unit_price}")
        price = price.quantize(CENT, ROUND_HALF_UP)  # positional: keywords cost more
        object.__setattr__(self, "unit_price", price)
        object.__setattr__(self, "price", float(price))
        quantity, lead, pay, warranty = (
            self.quantity,
            self.lead_time_days,
            self.payment_terms_days,
            self.warranty_months,
        )
        # The common case in one expression (this runs on every offer built); the loop below
        # finds what is wrong otherwise.
        if (
            type(quantity) is int
            and type(lead) is int
            and type(pay) is int
            and type(warranty) is int
            and 1 <= quantity <= _QUANTITY_BOUND
            and 0 <= lead <= _LEAD_BOUND
            and 0 <= pay <= _PAY_BOUND
            and 0 <= warranty <= _WARRANTY_BOUND
        ):
            return
        for name, bound in UPPER_BOUNDS.items():
            value = getattr(self, name)
            # The exact-type test first: it is the common case, and much cheaper.
            if (
                type(value) is not int and (isinstance(value, bool) or not isinstance(value, int))
            ) or not 0 <= value <= bound:
                raise ValueError(f"{name} must be an int in 0..{bound}, got {value!r}")
        if self.quantity < 1:
            raise ValueError(f"quantity must be >= 1, got {self.quantity}")

    def replace(self, **changes: Any) -> Terms:
        """These terms with ``changes`` (a plain constructor call: this runs on every move)."""
        if not changes.keys() <= _FIELD_SET:
            unknown = changes.keys() - _FIELD_SET
            raise TypeError(f"Terms has no field {', '.join(sorted(unknown))}")
        get = changes.get
        return Terms(
            get("unit_price", self.unit_price),
            get("quantity", self.quantity),
            get("lead_time_days", self.lead_time_days),
            get("payment_terms_days", self.payment_terms_days),
            get("warranty_months", self.warranty_months),
            get("currency", self.currency),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict; ``unit_price`` is a string such as ``"12.50"``."""
        return {
            "unit_price": str(self.unit_price),
            "quantity": self.quantity,
            "lead_time_days": self.lead_time_days,
            "payment_terms_days": self.payment_terms_days,
            "warranty_months": self.warranty_months,
            "currency": self.currency,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Terms:
        """Inverse of :meth:`to_dict`; raises ``ValueError`` naming the bad field."""
        if not isinstance(data, dict):
            raise ValueError(f"terms must be a dict, got {type(data).__name__}")
        try:
            price = Decimal(str(data["unit_price"]))
        except KeyError as exc:
            raise ValueError("terms.unit_price is missing") from exc
        except InvalidOperation as exc:
            raise ValueError(f"terms.unit_price is not a number: {data['unit_price']!r}") from exc
        if not price.is_finite():
            raise ValueError(f"terms.unit_price is not finite: {data['unit_price']!r}")
        ints: dict[str, int] = {}
        for name in ("quantity", "lead_time_days", "payment_terms_days", "warranty_months"):
            if name not in data:
                raise ValueError(f"terms.{name} is missing")
            value = data[name]
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"terms.{name} must be an int, got {value!r}")
            ints[name] = value
        currency = data.get("currency", "USD")
        if not isinstance(currency, str) or len(currency) != 3:
            raise ValueError(f"terms.currency must be a 3-letter code, got {currency!r}")
        return cls(unit_price=price, currency=currency, **ints)


TERM_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Terms) if f.init)
"""The fields an offer is built and stored with (``to_dict``), in order: not ``price``, the
float kept for utilities."""
_FIELD_SET = frozenset(TERM_FIELDS)
