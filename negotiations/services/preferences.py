"""Translate models into the engine's preferences (the engine never sees a model)."""

from datetime import date
from decimal import Decimal

from negotiations.engine import BrandPreferences, SupplierPreferences, Weights
from negotiations.models import Negotiation, Quote
from vendors.models import Supplier


def lead_time_limit_days(quote: Quote) -> int:
    """Days from the start of the negotiations to the needed-by date: the brand's hard limit."""
    start = quote.started_at.date() if quote.started_at else date.today()
    return max((quote.needed_by - start).days, 1)


# A warranty is worth something to every buyer, though no quote form asks: without a weight the
# brand would trade it away to nothing for a cent on price.
WARRANTY_SHARE = 0.1


def quote_weights(quote: Quote) -> Weights:
    stated = Weights(
        price=float(quote.weight_price),
        lead_time=float(quote.weight_lead_time),
        payment_terms=float(quote.weight_payment_terms),
    ).normalised()
    keep = 1 - WARRANTY_SHARE
    return Weights(
        price=stated.price * keep,
        lead_time=stated.lead_time * keep,
        payment_terms=stated.payment_terms * keep,
        warranty=WARRANTY_SHARE,
    )


def brand_preferences(negotiation: Negotiation) -> BrandPreferences:
    """The brand's preferences as the quote states them, before any staff guidance."""
    quote = negotiation.quote
    return BrandPreferences(
        quantity=quote.quantity,
        target_price=quote.target_price,
        max_price=quote.max_price,
        max_lead_time_days=lead_time_limit_days(quote),
        weights=quote_weights(quote),
        currency=quote.currency,
        profile=negotiation.brand_strategy,
    )


def supplier_preferences(supplier: Supplier) -> SupplierPreferences:
    return SupplierPreferences(
        cost_floor=Decimal(supplier.cost_floor),
        list_price=Decimal(supplier.list_price),
        fastest_lead_time_days=supplier.fastest_lead_time_days,
        preferred_payment_terms_days=min(supplier.preferred_payment_terms_days, 90),
        capacity=supplier.capacity,
        temperament=supplier.temperament,
        currency=supplier.currency,
        standard_warranty_months=supplier.warranty_months,
        max_warranty_months=max(24, supplier.warranty_months),
    )
