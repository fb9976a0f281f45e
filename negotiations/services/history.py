"""Naming a human action on a quote in its model history (django-simple-history).

The next save of the quote becomes a history record carrying who acted and what they did; the
audit trail (``records/audit.py``) shows those records as the quote's human actions.
"""

from negotiations.models import Quote


def record_action(quote: Quote, author, action: str) -> None:
    """Have the next ``quote.save()`` record ``action`` by ``author`` (None: the request's user,
    which simple-history's middleware supplies)."""
    limit = Quote.history.model._meta.get_field("history_change_reason").max_length
    # The column is bounded: a long action (three long supplier names) must never fail the save.
    quote._change_reason = action if len(action) <= limit else action[: limit - 1] + "…"
    if author is not None:
        quote._history_user = author
