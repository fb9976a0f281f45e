"""What the negotiations app announces to the apps built on it, which it may not import
(``records`` keeps the analytics' daily summaries up to date from these)."""

from django.dispatch import Signal

# Sent with ``quote=`` inside the transaction that changed the figures of the quote or of one of
# its negotiations: a negotiation ended or was retried, the quote was awarded, closed or
# cancelled. Receivers run in that transaction, so what they store commits with the change.
quote_figures_changed = Signal()
