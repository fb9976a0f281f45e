"""The supplier's issue weights and payment ideal, learned from its offers.

A supplier that concedes makes offers worth less and less to itself. Among candidate weights
(price, lead time, payment terms on a grid of eighths, and the prior) and candidate payment
ideals (every payment term from its opening on), the fit keeps the pair under which its offers
went *up* in its own utility the least: the sum, over its consecutive distinct offers, of each
rise. A supplier that never moved on an issue tells nothing about it, and every pair explains
it equally: ties go to the payment ideal read from its offers (``pay_hint``), then to the
weights nearest the prior, so with nothing to go on the fit is the prior.

Utilities are scored as the brand's opponent estimate scores them: price from the supplier's
opening price down to our target (``reference_floor``), lead time from its opening lead time
down to none, payment terms from the ideal to net 90. The estimate may score price over a
wider range later (down to the supplier's projected price); :meth:`WeightFit.weights` rescales
a learned price weight to it, which leaves every rise the fit measured unchanged (the prior is
the estimate's own on any range).

Measured in the classic tournament (``docs/benchmarks.md``, fourteenth pass): against the
classic sellers the brand's agreements come nearer the Pareto frontier on the discrete domain
(0.025 to 0.018 on the bench seed) and its margin over the best classic buyer grows; on our
domain, where the estimate's issue ranges are themselves guesses, it changes little.

The fit is kept up to date one offer at a time (each new offer adds one rise per candidate):
a negotiator asked move after move folds in only the offers it has not seen.
"""

from __future__ import annotations

from itertools import repeat
from operator import add, mul

from negotiations.engine.terms import PAYMENT_TERMS_DAYS, Terms

GRID_STEPS = 8
"""Candidate weights are multiples of 1/8, each issue at least 1/8."""
PRICE_SPAN_LEAST = 0.2
"""The least price range the fit scores, as a share of the opening price."""
Weights3 = tuple[float, float, float]
"""(price, lead time, payment terms), summing to 1."""


def _grid(prior: Weights3) -> tuple[Weights3, ...]:
    """The candidate weights, the prior first and then by distance to it: the fit takes the
    first of equally good candidates."""
    n = GRID_STEPS
    points = [
        (p / n, lead / n, (n - p - lead) / n)
        for p in range(1, n)
        for lead in range(1, n)
        if n - p - lead >= 1
    ]
    points.sort(key=lambda w: sum((a - b) ** 2 for a, b in zip(w, prior, strict=True)))
    return (prior, *points)


def _pay_utility(days: int, ideal: int) -> float:
    """The supplier's payment utility with ``ideal`` as its best term (anything sooner is as
    good) and net 90 its worst."""
    worst = PAYMENT_TERMS_DAYS[-1]
    if days <= ideal or ideal >= worst:
        return 1.0
    return (worst - days) / (worst - ideal)


class WeightFit:
    """The fit over one negotiation's supplier offers (see the module docstring)."""

    __slots__ = (
        "_chosen",
        "_grid",
        "_last",
        "_lead_span",
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
        self._top = float(opening.unit_price)
        # A supplier opening at or under our target still gets a price range to score.
        self._price_span = max(self._top - reference_floor, PRICE_SPAN_LEAST * self._top, 1e-9)
        self._lead_span = max(opening.lead_time_days, 1)
        opened = opening.payment_terms_days
        ideals = [d for d in PAYMENT_TERMS_DAYS if d >= opened] or [opened]
        self._losses = {ideal: [0.0] * len(self._grid) for ideal in ideals}
        self._last = opening
        self._chosen: tuple[tuple[int, float], tuple[Weights3, int]] | None = None
        self.count = 1
        """Offers folded in so far, repeats included."""

    def add(self, terms: Terms) -> None:
        """Fold in the supplier's next offer."""
        self.count += 1
        last, self._last = self._last, terms
        if terms == last:
            return
        span = self._lead_span
        dp = float(terms.unit_price - last.unit_price) / self._price_span
        dl = (min(terms.lead_time_days, span) - min(last.lead_time_days, span)) / span
        moved: list[float] | None = None
        for ideal, losses in self._losses.items():
            dq = _pay_utility(terms.payment_terms_days, ideal) - _pay_utility(
                last.payment_terms_days, ideal
            )
            if dp <= 0.0 and dl <= 0.0 and dq <= 0.0:
                continue  # a concession on every issue it moved: worth less whatever the weights
            if moved is None:
                moved = [w[0] * dp + w[1] * dl for w in self._grid]
            rises = map(add, moved, map(mul, self._pay_weights, repeat(dq))) if dq else moved
            pairs = zip(losses, rises, strict=True)
            self._losses[ideal] = [loss + rise if rise > 0.0 else loss for loss, rise in pairs]
        self._chosen = None

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
        def fit(item: tuple[int, list[float]]) -> tuple[float, bool, int]:
            ideal, losses = item
            least = min(losses)
            return (round(least, 9), ideal != pay_hint, losses.index(least))

        ideal, losses = min(self._losses.items(), key=fit)
        index = losses.index(min(losses))
        wp, wl, wq = self._grid[index]
        if index == 0:  # the prior: nothing learned, and it holds on any price range
            return (wp, wl, wq), ideal
        wp *= max(self._top - price_floor, 1e-9) / self._price_span
        total = wp + wl + wq
        return (wp / total, wl / total, wq / total), ideal
