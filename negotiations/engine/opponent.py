"""Opponent model: how fast the other side concedes and where it is heading.

Offers are compared as *price equivalents*: the price that, with the opponent's latest
non-price terms, would be worth as much to us, so trading lead time or payment terms against
price does not read as a retreat. Time-based negotiators move roughly as
``p(t) = a + b * t**beta``; fitting that curve (least squares over a few exponents) gives the
opponent's concession rate and a projection of its price at the deadline, i.e. an estimate of
its reservation price.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from negotiations.engine.terms import Terms

_EXPONENTS = (0.5, 1.0, 2.0, 3.0, 5.0)
_SKIP = 2
"""Opening offers left out of the fit: they are often anchors rather than concessions."""
_PLAUSIBLE = 2.0
"""Fits within this factor of the best squared error count as plausible projections."""


@dataclass(frozen=True, slots=True)
class OpponentModel:
    """What the offers seen so far say about the opponent.

    Prices are price equivalents with the latest offer's non-price terms. ``concession`` is the
    fraction of its opening price the opponent gave up per round (recent average);
    ``projected_price`` its best-fit price at the deadline and ``projected_range``
    the range of plausible fits (None until three offers after the opening ones); ``moved``
    whether it has conceded on price at all.
    """

    offers: tuple[Terms, ...]
    concession: float
    projected_price: float | None
    projected_range: tuple[float, float] | None
    moved: bool

    @property
    def last(self) -> Terms | None:
        return self.offers[-1] if self.offers else None

    @property
    def holding(self) -> bool:
        """Whether its last three offers are one and the same."""
        return len(self.offers) >= 3 and self.offers[-1] == self.offers[-2] == self.offers[-3]

    def seen(self, attribute: str) -> set[int]:
        return {getattr(o, attribute) for o in self.offers}


def model_opponent(
    offers: list[tuple[float, Terms]], price_equivalent: Callable[[Terms, Terms], float]
) -> OpponentModel:
    """Build the model from ``(time in [0, 1], terms)`` pairs, oldest first;
    ``price_equivalent(terms, reference)`` is our scorer's conversion."""
    terms = tuple(o for _, o in offers)
    if not terms:
        return OpponentModel((), 0.0, None, None, False)
    prices = [price_equivalent(o, terms[-1]) for o in terms]
    scale = max(abs(prices[0]), 0.01)
    recent = prices[-4:]
    concession = abs(recent[0] - recent[-1]) / (scale * max(1, len(recent) - 1))
    moved = abs(prices[0] - prices[-1]) > 0.005 * scale
    fits = _project([t for t, _ in offers[_SKIP:]], prices[_SKIP:])
    if not fits:
        return OpponentModel(terms, concession, None, None, moved)
    best = min(fits)[1]
    plausible = [value for sse, value in fits if sse <= _PLAUSIBLE * min(fits)[0] + 1e-9]
    return OpponentModel(terms, concession, best, (min(plausible), max(plausible)), moved)


def _project(times: list[float], values: list[float]) -> list[tuple[float, float]]:
    """Least-squares fits of ``a + b*t**beta`` for each ``beta``: (squared error, value at t=1).

    Empty with fewer than three points.
    """
    n = len(values)
    if n < 3:
        return []
    mean_y = sum(values) / n
    dys = [y - mean_y for y in values]
    syy = sum(d * d for d in dys)
    fits: list[tuple[float, float]] = []
    for beta in _EXPONENTS:
        # One pass per exponent (this runs on every move): sums of x, x^2 and x*(y - mean y);
        # the squared error of the fit is syy - b * sxy.
        sx = sxx = sxy = 0.0
        for t, d in zip(times, dys, strict=True):
            x = t**beta
            sx += x
            sxx += x * x
            sxy += x * d
        mean_x = sx / n
        sxx -= n * mean_x * mean_x
        if sxx <= 1e-12:
            continue
        b = sxy / sxx
        a = mean_y - b * mean_x
        sse = max(0.0, syy - b * sxy)
        fits.append((sse, a + b))
    return fits
