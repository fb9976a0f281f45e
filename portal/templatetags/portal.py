"""Display filters of the supplier portal."""

from decimal import Decimal

from django import template

from negotiations.engine import Terms
from portal.forms import payment_terms_label

register = template.Library()


@register.filter
def payment_terms(days: int) -> str:
    """``30`` -> ``Net 30 days``; ``0`` -> ``Paid on delivery``."""
    return payment_terms_label(int(days))


@register.filter
def total(terms: Terms) -> Decimal:
    """What an offer comes to: unit price times quantity."""
    return terms.unit_price * terms.quantity
