"""Opponent model: how fast the other side concedes and where it is heading.

Time-based negotiators move their price roughly as ``p(t) = a + b * t**beta``. Fitting that
curve to the opponent's offers (least squares over a few exponents) gives its concession rate
and a projection of its price at the deadline, i.e. an estimate of its reservation price.
"""

from __future__ import annotations

from dataclasses import dataclass

from negotiations.engine.terms import Terms

_EXPONENTS = (0.5, 1.0, 2.0, 4.0)


@dataclass(frozen=True, slots=True)
class OpponentModel:
    """What the offers seen so far say about the opponent.

    ``concession`` is the fraction of its opening price the opponent gave up per round (recent
    average); ``projected_price`` its estimated price at the deadline (None until three offers);
    ``moved`` whether it has conceded on price at all.
    """

    offers: tuple[Terms, ...]
    concession: float
    projected_price: float | None
    moved: bool

    @property
    def first(self) -> Terms | None:
        return self.offers[0] if self.offers else None

    @property
    def last(self) -> Terms | None:
        return self.offers[-1] if self.offers else None

    def seen(self, attribute: str) -> set[int]:
        return {getattr(o, attribute) for o in self.offers}


def model_opponent(offers: list[tuple[float, Terms]]) -> OpponentModel:
    """Build the model from ``(time in [0, 1], terms)`` pairs, oldest first."""
    terms = tuple(o for _, o in offers)
    if not terms:
        return OpponentModel((), 0.0, None, False)
    prices = [float(o.unit_price) for o in terms]
    first = prices[0]
    recent = prices[-4:]
    concession = abs(recent[0] - recent[-1]) / (first * max(1, len(recent) - 1))
    moved = abs(prices[0] - prices[-1]) > 0.005 * first
    projected = _project([t for t, _ in offers], prices) if len(prices) >= 3 else None
    return OpponentModel(terms, concession, projected, moved)


def _project(times: list[float], values: list[float]) -> float:
    """Least-squares fit of ``a + b*t**beta`` over a few ``beta``; the fitted value at t=1."""
    best_sse, best_value = float("inf"), values[-1]
    n = len(values)
    mean_y = sum(values) / n
    for beta in _EXPONENTS:
        xs = [t**beta for t in times]
        mean_x = sum(xs) / n
        sxx = sum((x - mean_x) ** 2 for x in xs)
        if sxx <= 1e-12:
            continue
        b = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, values, strict=True)) / sxx
        a = mean_y - b * mean_x
        sse = sum((a + b * x - y) ** 2 for x, y in zip(xs, values, strict=True))
        if sse < best_sse - 1e-12:
            best_sse, best_value = sse, a + b
    return best_value
