"""Small display filters of the negotiation pages."""

from django import template

from negotiations.engine import SUPPLIER_ASKS

register = template.Library()


@register.filter
def label(code: str) -> str:
    """A stored code as words: ``walk_away`` -> ``Walk away``."""
    return str(code).replace("_", " ").capitalize()


@register.filter
def for_the_supplier(question: str) -> bool:
    """Whether the brand's question to staff passes on one the supplier asked (then staff's
    answer is relayed to the supplier in the brand's next message)."""
    return str(question).startswith(SUPPLIER_ASKS)
