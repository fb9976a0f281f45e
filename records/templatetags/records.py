"""The records box of the quote page: downloads and the audit trail."""

from django import template

from negotiations.models import Quote
from records import audit

register = template.Library()


@register.inclusion_tag("records/quote_records.html")
def quote_records(quote: Quote) -> dict:
    return {
        "quote": quote,
        "negotiations": quote.negotiations.select_related("supplier").order_by("slot"),
        "trail": audit.audit_trail(quote),
    }
