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
from functools import lru_cache
from itertools import repeat
from operator import add, mul
from typing import NamedTuple

from negotiations.engine.terms import Terms

_EXPONENTS = (0.5, 1.0, 2.0, 3.0, 5.0)
_SKIP = 2
"""Opening offers left out of the fit: they are often anchors rather than concessions."""
_PLAUSIBLE = 2.0
"""Fits within this factor of the best squared error count as plausible projections."""


class OpponentModel(NamedTuple):
    """What the offers seen so far say about the opponent.

    Prices are price equivalents with the latest offer's non-price terms. ``concession`` is the
    fraction of its opening price the opponent gave up per round (recent average);
    ``projected_price`` its best-fit price at the deadline and ``projected_range``
    the range of plausible fits (None until three offers after the opening ones); ``moved``
    whether it has conceded on price at all; ``holding`` whether its last three offers are one
    and the same.
    """

    offers: tuple[Terms, ...]
    concession: float
    projected_price: float | None
    projected_range: tuple[float, float] | None
    moved: bool
    holding: bool

    @property
    def last(self) -> Terms | None:
        return self.offers[-1] if self.offers else None

    @property
    def steady(self) -> bool:
        """Whether each of its last two offers is new (it moves every time, not only when we
        do)."""
        o = self.offers
        return len(o) >= 3 and o[-1] != o[-2] and o[-2] != o[-3]

    def seen(self, attribute: str) -> set[int]:
        return {getattr(o, attribute) for o in self.offers}


def model_opponent(
    offers: list[tuple[float, Terms]],
    value: Callable[[Terms], float],
    shift: Callable[[Terms], float] = lambda _reference: 0.0,
) -> OpponentModel:
    """Build the model from ``(time in [0, 1], terms)`` pairs, oldest first. An offer's price
    equivalent with the latest offer's non-price terms is ``value(offer) - shift(latest)``
    (our scorer's conversion; a fixed reference needs no shift)."""
    tracker = OpponentTracker(value, shift)
    for t, terms in offers:
        tracker.add(t, terms)
    return tracker.model()


@lru_cache(maxsize=1024)
def _powers(t: float) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """``t**beta`` and its square, each for every exponent (the times of a negotiation's rounds
    recur in every negotiation of that length)."""
    xs = tuple(t**beta for beta in _EXPONENTS)
    return xs, tuple(x * x for x in xs)


class OpponentTracker:
    """The opponent model kept up to date one offer at a time: a negotiator adds the offers it
    has not seen yet instead of refitting the whole history on every move.

    Price equivalents against the latest offer differ from ``value(offer)`` by one shift for
    all offers, which moves the fitted curve by that shift and changes neither its slope nor
    its squared error; so the fit keeps running sums of ``value`` (centred on the first fitted
    offer's, which keeps them small) per exponent, and only the shift is applied per model.
    """

    __slots__ = (
        "_offers",
        "_origin",
        "_shift",
        "_sx",
        "_sxx",
        "_sxy",
        "_sy",
        "_syy",
        "_value",
        "_values",
    )

    def __init__(self, value: Callable[[Terms], float], shift: Callable[[Terms], float]) -> None:
        self._value, self._shift = value, shift
        self._offers: list[Terms] = []
        self._values: list[float] = []
        self._origin = 0.0
        # Per exponent: sums of x, x^2 and x*y over the fitted offers (x = t**beta).
        self._sx = self._sxx = self._sxy = (0.0,) * len(_EXPONENTS)
        self._sy = self._syy = 0.0

    def add(self, t: float, terms: Terms) -> None:
        value = self._value(terms)
        if len(self._offers) == _SKIP:
            self._origin = value
        self._offers.append(terms)
        self._values.append(value)
        if len(self._offers) <= _SKIP:
            return
        y = value - self._origin
        self._sy += y
        self._syy += y * y
        # All exponents at once (map runs the loop in C; the same sums, in the same order).
        xs, xxs = _powers(t)
        self._sx = tuple(map(add, self._sx, xs))
        self._sxx = tuple(map(add, self._sxx, xxs))
        self._sxy = tuple(map(add, self._sxy, map(mul, xs, repeat(y))))

    def model(self) -> OpponentModel:
        terms = tuple(self._offers)
        if not terms:
            return OpponentModel((), 0.0, None, None, False, False)
        shift = self._shift(terms[-1])
        values = self._values
        first = values[0] - shift
        scale = max(abs(first), 0.01)
        recent = values[-4:]
        concession = abs(recent[0] - recent[-1]) / (scale * max(1, len(recent) - 1))
        moved = abs(values[0] - values[-1]) > 0.005 * scale
        holding = len(terms) >= 3 and terms[-1] == terms[-2] == terms[-3]
        fits = self._fits()
        if not fits:
            return OpponentModel(terms, concession, None, None, moved, holding)
        least = min(fits)
        offset = self._origin - shift
        best = least[1] + offset
        plausible = [end for sse, end in fits if sse <= _PLAUSIBLE * least[0] + 1e-9]
        projected = (min(plausible) + offset, max(plausible) + offset)
        return OpponentModel(terms, concession, best, projected, moved, holding)

    def _fits(self) -> list[tuple[float, float]]:
        """Least-squares fits of ``a + b*t**beta`` for each ``beta``: (squared error, value at
        t=1, before the shift). Empty with fewer than three fitted offers."""
        n = len(self._offers) - _SKIP
        if n < 3:
            return []
        mean_y = self._sy / n
        syy = self._syy - n * mean_y * mean_y
        fits: list[tuple[float, float]] = []
        for sx, sxx, sxy in zip(self._sx, self._sxx, self._sxy, strict=True):
            mean_x = sx / n
            sxx -= n * mean_x * mean_x
            if sxx <= 1e-12:
                continue
            sxy -= n * mean_x * mean_y
            b = sxy / sxx
            a = mean_y - b * mean_x
            sse = syy - b * sxy
            fits.append((sse if sse > 0.0 else 0.0, a + b))
        return fits
