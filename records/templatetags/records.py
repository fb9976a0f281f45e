"""The records box of the quote page: downloads and the audit trail."""

from datetime import timedelta

from django import template

from negotiations.models import Quote
from records import audit
from records.playback import ENDED_QUOTE_STATUSES

register = template.Library()


@register.inclusion_tag("records/quote_records.html")
def quote_records(quote: Quote) -> dict:
    return {
        "quote": quote,
        "negotiations": quote.negotiations.select_related("supplier").order_by("slot"),
        "trail": audit.audit_trail(quote),
        "ended": quote.status in ENDED_QUOTE_STATUSES,
    }


@register.filter
def duration(value: timedelta) -> str:
    """A span of time in the two largest units that matter: ``2 d 3 h``, ``3 h 20 min``."""
    minutes = int(value.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"
