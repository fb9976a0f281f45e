"""Small display filters of the negotiation pages."""

from django import template

from negotiations.engine import SUPPLIER_ASKS
from negotiations.models import Message
from negotiations.room.model import Audience

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


@register.filter
def is_staff_audience(audience: str) -> bool:
    """Whether the page is read by staff (the room, playback) rather than the supplier: a
    message then shows who wrote it, the referee's verdict and the agents' reasoning."""
    return str(audience) == Audience.STAFF


@register.filter
def page_number(message: Message, staff: bool) -> int:
    """What the page knows ``message`` by: for staff its seq; for the supplier its number among
    the shared messages (:func:`negotiations.room.model.numbered_messages`), never the seq, which
    counts the internal entries too (a message read without its number fails, not falls back)."""
    return message.seq if staff else message.number
