"""Live push of stored rows to the negotiation room (the UI issue renders and sends these)."""


def publish_message(message_id: int) -> None:
    """Push one stored message to its quote's room."""


def publish_negotiation(negotiation_id: int) -> None:
    """Push a negotiation's status, progress and chart."""


def publish_quote(quote_id: int) -> None:
    """Push the quote header, comparison and recommendation."""
