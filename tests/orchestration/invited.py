"""Starting a quote whose suppliers answer for themselves (invited), for the tests."""

from decimal import Decimal

from django.db import transaction

from negotiations import services
from negotiations.engine import Terms
from negotiations.models import Negotiation, Quote, SupplierMode


def start_invited(quote: Quote, suppliers, slots=(1, 2, 3)) -> list[Negotiation]:
    """Start ``quote`` with the suppliers of ``slots`` invited (the others simulated): their
    mode is set before the first turns are enqueued (on commit)."""
    with transaction.atomic():
        services.quote_start(quote=quote, suppliers=suppliers)
        Negotiation.objects.filter(quote=quote, slot__in=slots).update(
            supplier_mode=SupplierMode.INVITED
        )
    return list(Negotiation.objects.filter(quote=quote).order_by("slot"))


def offer(price: str, **changes) -> Terms:
    """A supplier's counter for the test quote (5,000 units)."""
    fields = {
        "unit_price": Decimal(price),
        "quantity": 5000,
        "lead_time_days": 30,
        "payment_terms_days": 30,
        "warranty_months": 12,
        **changes,
    }
    return Terms(**fields)
