"""Starting a quote whose suppliers answer for themselves (invited), for the tests."""

from decimal import Decimal

from django.db.models import QuerySet

from negotiations import services
from negotiations.engine import Terms
from negotiations.models import Message, Negotiation, Quote, Sender


def start_invited(quote: Quote, suppliers, slots=(1, 2, 3)) -> list[Negotiation]:
    """Start ``quote`` with the suppliers of ``slots`` invited (the others simulated), in slot
    order."""
    invited = [s for slot, s in enumerate(suppliers, start=1) if slot in slots]
    for supplier in invited:
        supplier.contact_email = f"sales@{supplier.pk}.example"
        supplier.save(update_fields=["contact_email"])
    services.quote_start(quote=quote, suppliers=suppliers, invited=invited)
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


def moves(negotiation: Negotiation) -> QuerySet[Message]:
    """The brand's and the supplier's messages (not staff's or the system's notes)."""
    return negotiation.messages.filter(sender__in=(Sender.BRAND, Sender.SUPPLIER)).order_by("seq")
