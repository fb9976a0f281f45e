"""The supplier's issue weights and payment ideal, learned from its offers.

A supplier that concedes makes offers worth less and less to itself. Among candidate weights
(price, lead time, payment terms on a grid of eighths, and the prior) and candidate payment
ideals (its opening payment term and every standard one after it), the fit keeps the pair under
which its offers went *up* in its own utility the least: the sum, over its consecutive distinct
offers for one quantity, of each rise. A supplier that never moved on an issue tells nothing
about it, and every pair explains it equally: ties (up to rounding) go to the payment ideal read
from its offers (``pay_hint``), then to the weights nearest the prior, so with nothing to go on
the fit is the prior.

Utilities are scored as the brand's opponent estimate scores them, each clamped to its range:
price from the supplier's opening price down to our target (``reference_floor``; at least a
fifth of the opening price), lead time from its opening lead time down to none, payment terms
from the ideal to net 90. The estimate may score price over a wider range later (down to the
supplier's projected price); :meth:`WeightFit.weights` rescales a learned price weight to it,
which leaves every rise the fit measured unchanged (the prior is the estimate's own on any
range).

Measured in the classic tournament (``docs/benchmarks.md``, fourteenth pass): against the
classic sellers the brand's agreements come nearer the Pareto frontier on the discrete domain
(0.025 to 0.019 on the bench seed) and its margin over the best classic buyer grows; on our
domain, where the estimate's issue ranges are themselves guesses, it changes little.

The fit is kept up to date one offer at a time (each new offer adds one rise per candidate):
a negotiator asked move after move folds in only the offers it has not seen.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache
from itertools import repeat
from operator import add, mul

from negotiations.engine.terms import PAYMENT_TERMS_DAYS, Terms
from negotiations.engine.utility import linear_score

GRID_STEPS = 8
"""Candidate weights are multiples of 1/8, each issue at least 1/8."""
PRICE_SPAN_LEAST = 0.2
"""The least price range the fit scores, as a share of the opening price."""
Weights3 = tuple[float, float, float]
"""(price, lead time, payment terms), summing to 1."""


@lru_cache(maxsize=8)
def _grid(prior: Weights3) -> tuple[Weights3, ...]:
    """The candidate weights, the prior first and then by distance to it: the fit takes the
    first of equally good candidates. Built once per prior, not per negotiation."""
    n = GRID_STEPS
    points = [
        (p / n, lead / n, (n - p - lead) / n)
        for p in range(1, n)
        for lead in range(1, n)
        if n - p - lead >= 1
    ]
    points.sort(key=lambda w: sum((a - b) ** 2 for a, b in zip(w, prior, strict=True)))
    return (prior, *points)


class WeightFit:
    """The fit over one negotiation's supplier offers (see the module docstring)."""

    __slots__ = (
        "_chosen",
        "_grid",
        "_last",
        "_lead_best",
        "_losses",
        "_pay_weights",
        "_price_span",
        "_top",
        "count",
    )

    def __init__(self, prior: Weights3, opening: Terms, reference_floor: float) -> None:
        total = sum(prior)
        self._grid = _grid((prior[0] / total, prior[1] / total, prior[2] / total))
        self._pay_weights = [w[2] for w in self._grid]
        self._top = opening.price
        # A supplier opening at or under our target still gets a price range to score.
        self._price_span = max(self._top - reference_floor, PRICE_SPAN_LEAST * self._top, 1e-9)
        self._lead_best = opening.lead_time_days
        opened = opening.payment_terms_days
        ideals = sorted({opened, *(d for d in PAYMENT_TERMS_DAYS if d >= opened)})
        self._losses = {ideal: [0.0] * len(self._grid) for ideal in ideals}
        self._last = opening
        self._chosen: tuple[tuple[int, float], tuple[Weights3, int]] | None = None
        self.count = 1
        """Offers folded in so far, repeats included."""

    def follows(self, offers: Sequence[Terms]) -> bool:
        """Whether ``offers`` go on from the ones folded in (their first ``count`` offers end
        with the last one folded in)."""
        return self.count <= len(offers) and offers[self.count - 1] == self._last

    def _step(self, terms: Terms, last: Terms) -> tuple[float, float]:
        """What the step from ``last`` to ``terms`` changed of the supplier's price and
        lead-time utilities, unweighted, on the estimate's ranges (price on the fit's)."""
        top, low, lead = self._top, self._top - self._price_span, self._lead_best
        price = linear_score(terms.price, top, low) - linear_score(last.price, top, low)
        days, before = terms.lead_time_days, last.lead_time_days
        if days == before:
            return price, 0.0
        return price, linear_score(days, lead, 0) - linear_score(before, lead, 0)

    def add(self, terms: Terms) -> None:
        """Fold in the supplier's next offer. A step to another quantity is not scored: its
        unit price is for a different order."""
        self.count += 1
        last, self._last = self._last, terms
        if terms == last or terms.quantity != last.quantity:
            return
        dp, dl = self._step(terms, last)
        days, before = terms.payment_terms_days, last.payment_terms_days
        worst = PAYMENT_TERMS_DAYS[-1]
        moved: list[float] | None = None
        for ideal, losses in self._losses.items():
            dq = 0.0
            if days != before:
                dq = linear_score(days, ideal, worst) - linear_score(before, ideal, worst)
            if dp <= 0.0 and dl <= 0.0 and dq <= 0.0:
                continue  # a concession on every issue it moved: worth less whatever the weights
            if moved is None:
                moved = [w[0] * dp + w[1] * dl for w in self._grid]
            rises = map(add, moved, map(mul, self._pay_weights, repeat(dq))) if dq else moved
            pairs = zip(losses, rises, strict=True)
            self._losses[ideal] = [loss + rise if rise > 0.0 else loss for loss, rise in pairs]
        self._chosen = None

    def _best_per_ideal(self, pay_hint: int) -> Iterator[tuple[float, bool, int, int]]:
        """For each candidate payment ideal: (its least loss, rounded; whether it is not
        ``pay_hint``; the first weights with that loss, the nearest the prior; the ideal)."""
        for ideal, losses in self._losses.items():
            least = round(min(losses), 9)
            index = next(i for i, loss in enumerate(losses) if round(loss, 9) <= least)
            yield least, ideal != pay_hint, index, ideal

    def weights(self, pay_hint: int, price_floor: float) -> tuple[Weights3, int]:
        """The fitted (price, lead time, payment) weights and payment ideal: the candidate
        pair whose offers rose least, ties broken as the module docstring says. A learned
        price weight is rescaled to a price range from the opening down to ``price_floor``
        (the estimate's), and the weights normalised again; the prior is returned as it is."""
        key = (pay_hint, price_floor)
        if self._chosen is None or self._chosen[0] != key:
            self._chosen = (key, self._choose(pay_hint, price_floor))
        return self._chosen[1]

    def _choose(self, pay_hint: int, price_floor: float) -> tuple[Weights3, int]:
        _, _, index, ideal = min(self._best_per_ideal(pay_hint))
        wp, wl, wq = self._grid[index]
        if index == 0:  # the prior: the estimate's own weights on whatever price range it uses
            return (wp, wl, wq), ideal
        wp *= max(self._top - price_floor, 1e-9) / self._price_span
        total = wp + wl + wq
        return (wp / total, wl / total, wq / total), ideal
