"""The one error type services raise for bad input or an illegal transition."""


class ProcurError(Exception):
    """A user-facing refusal: ``message`` says what is wrong; ``field_errors`` point at fields."""

    def __init__(self, message: str, field_errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}
