"""A small hand-written scenario shared by the behaviour tests."""

from decimal import Decimal

from negotiations.engine import (
    Action,
    BrandPreferences,
    Move,
    NegotiationState,
    SupplierPreferences,
    Terms,
    Weights,
)

BRAND = BrandPreferences(
    quantity=500,
    target_price=Decimal("10.00"),
    max_price=Decimal("12.00"),
    max_lead_time_days=30,
    ideal_lead_time_days=15,
    weights=Weights(0.6, 0.25, 0.15),
)
SUPPLIER = SupplierPreferences(
    cost_floor=Decimal("9.00"),
    list_price=Decimal("14.00"),
    fastest_lead_time_days=10,
    preferred_payment_terms_days=30,
    capacity=2000,
)


def offer(price: str, quantity: int = 500, lead: int = 20, pay: int = 30) -> Terms:
    return Terms(Decimal(price), quantity, lead, pay, 12)


HELD = Terms(Decimal("14.00"), BRAND.quantity, 45, 0, 12)
"""Beyond the brand's price and lead-time limits."""


class Holder:
    """A supplier that answers every offer with the same counter-offer."""

    def respond(self, state: NegotiationState) -> Move:
        return Move(Action.COUNTER, HELD)
