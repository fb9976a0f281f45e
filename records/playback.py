"""Which quotes can be played back: those whose negotiations have all ended."""

from negotiations.models import QuoteStatus

# A quote whose three negotiations have all ended (a cancelled quote's too).
ENDED_QUOTE_STATUSES = frozenset(
    {
        QuoteStatus.AWAITING_APPROVAL,
        QuoteStatus.AWARDED,
        QuoteStatus.CLOSED,
        QuoteStatus.CANCELLED,
    }
)
