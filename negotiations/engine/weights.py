"""Issue weights: how much each negotiable issue matters to one side."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Weights:
    """Relative importance of each issue; use :meth:`normalised` to make them sum to 1."""

    price: float
    lead_time: float
    payment_terms: float
    warranty: float = 0.0

    def __post_init__(self) -> None:
        values = self.values()
        if any(v < 0 for v in values) or sum(values) <= 0:
            raise ValueError(f"weights must be >= 0 with a positive sum, got {values}")

    def values(self) -> tuple[float, float, float, float]:
        """(price, lead_time, payment_terms, warranty)."""
        return (self.price, self.lead_time, self.payment_terms, self.warranty)

    def normalised(self) -> Weights:
        total = sum(self.values())
        return Weights(*(v / total for v in self.values()))
