"""What an agreed negotiation left on the table, for the outcome table and the recommendation.

The figures come from :mod:`negotiations.engine.deal_quality`; docs/deal-quality.md explains
them to staff.
"""

from decimal import Decimal

from negotiations.engine import (
    BrandPreferences,
    Room,
    SupplierPreferences,
    Terms,
    estimated_room,
    known_room,
    pareto_gap,
)
from negotiations.models import Negotiation, Sender, SupplierMode
from negotiations.services.context import OFFER_ACTIONS
from negotiations.services.preferences import supplier_preferences

CENT = Decimal("0.01")
FIELDS = (
    "left_on_table",
    "left_on_table_range",
    "left_on_table_method",
    "supplier_floor_estimate",
    "left_on_table_known",
    "supplier_floor_known",
    "pareto_distance",
)
"""The ranking fields :func:`deal_quality` fills (None for a negotiation without a deal)."""


def supplier_offers(negotiation: Negotiation) -> list[tuple[int, Terms]]:
    """The supplier's offers, ``(round, terms)``, oldest first."""
    rows = (
        negotiation.messages.filter(sender=Sender.SUPPLIER, action__in=OFFER_ACTIONS)
        .exclude(terms=None)
        .order_by("seq")
        .values_list("round", "terms")
    )
    return [(max(round_, 1), Terms.from_dict(terms)) for round_, terms in rows]


def known_supplier_preferences(negotiation: Negotiation) -> SupplierPreferences | None:
    """The supplier's true preferences when Procur simulates it, else None.

    A simulated supplier's agent bargains from its directory profile. An invited supplier
    negotiates its own side and keeps its limits to itself: only the estimate applies.
    """
    if negotiation.supplier_mode == SupplierMode.INVITED:
        return None
    return supplier_preferences(negotiation.supplier)


def _money(per_unit: float, quantity: int) -> str:
    return str((Decimal(repr(per_unit)) * quantity).quantize(CENT))


def _unit(price: float) -> str:
    return str(Decimal(repr(price)).quantize(CENT))


def deal_quality(
    negotiation: Negotiation,
    terms: Terms,
    offers: list[tuple[int, Terms]],
    brand: BrandPreferences,
) -> dict:
    """The agreed ``terms``' money left on the table (estimated, and known for a simulated
    supplier) and distance to the Pareto frontier, as JSON-safe ranking fields."""
    estimate: Room | None = estimated_room(offers, terms, brand, negotiation.quote.max_rounds)
    supplier = known_supplier_preferences(negotiation)
    known = known_room(terms, supplier) if supplier is not None else None
    return {
        "left_on_table": _money(estimate.per_unit, terms.quantity) if estimate else None,
        "left_on_table_range": (
            [_money(estimate.low, terms.quantity), _money(estimate.high, terms.quantity)]
            if estimate
            else None
        ),
        "left_on_table_method": estimate.method if estimate else None,
        "supplier_floor_estimate": _unit(estimate.floor) if estimate else None,
        "left_on_table_known": _money(known.per_unit, terms.quantity) if known else None,
        "supplier_floor_known": _unit(known.floor) if known else None,
        "pareto_distance": (
            round(pareto_gap(terms, brand, supplier), 4) if supplier is not None else None
        ),
    }
