"""Linear-additive utilities in [0, 1].

Each issue contributes a piecewise-linear score between a *worst* value (0) and a *best* value
(1), weighted by the side's normalised weights. :class:`Scorer` holds the precomputed floats so
negotiators can score thousands of candidate offers per second.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from negotiations.engine.preferences import BrandPreferences, SupplierPreferences
from negotiations.engine.terms import PAYMENT_TERMS_DAYS, Terms


def linear_score(x: float, best: float, worst: float) -> float:
    """``x`` scored 1 at ``best`` and 0 at ``worst``, linearly between, clamped to [0, 1] (1
    everywhere when the two are one value)."""
    if best == worst:
        return 1.0
    u = (x - worst) / (best - worst)
    return 0.0 if u < 0.0 else 1.0 if u > 1.0 else u


class IssueParts(dict[float, float]):
    """One non-price issue's weighted score by value, each computed on first use: values are
    whole days or months, and negotiations score the same few of them again and again."""

    __slots__ = ("best", "weight", "worst")

    def __init__(self, weight: float, best: float, worst: float) -> None:
        super().__init__()
        self.weight, self.best, self.worst = weight, best, worst

    def __missing__(self, value: float) -> float:
        part = self[value] = self.weight * linear_score(value, self.best, self.worst)
        return part


@lru_cache(maxsize=4096)
def _issue_parts(weight: float, best: float, worst: float) -> IssueParts:
    """One table per (weight, range), shared by every scorer with it: the opponent estimate a
    negotiator builds anew on each move keeps the same ranges, so it finds its scores known."""
    return IssueParts(weight, best, worst)


@dataclass(frozen=True, slots=True)
class Scorer:
    """One side's utility as floats: ``score = w_price*u(price) + rest(lead, pay, warranty)``."""

    w_price: float
    w_lead: float
    w_pay: float
    w_warranty: float
    price_best: float
    price_worst: float
    lead_best: float
    lead_worst: float
    pay_best: float
    pay_worst: float
    warranty_best: float
    warranty_worst: float
    reservation: float
    _lead: IssueParts = field(init=False, repr=False, compare=False)
    _pay: IssueParts = field(init=False, repr=False, compare=False)
    _warranty: IssueParts = field(init=False, repr=False, compare=False)
    _price_span: float = field(init=False, repr=False, compare=False)
    _shift_divisor: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "_lead", _issue_parts(self.w_lead, self.lead_best, self.lead_worst))
        set_(self, "_pay", _issue_parts(self.w_pay, self.pay_best, self.pay_worst))
        set_(
            self,
            "_warranty",
            _issue_parts(self.w_warranty, self.warranty_best, self.warranty_worst),
        )
        set_(self, "_price_span", self.price_best - self.price_worst)
        set_(self, "_shift_divisor", max(self.w_price, 0.05))

    @property
    def issue_parts(self) -> tuple[IssueParts, IssueParts, IssueParts]:
        """The weighted scores of lead time, payment terms and warranty, by value."""
        return (self._lead, self._pay, self._warranty)

    def lead_part(self, lead: float) -> float:
        return self._lead[lead]

    def pay_part(self, pay: float) -> float:
        return self._pay[pay]

    def warranty_part(self, warranty: float) -> float:
        return self._warranty[warranty]

    def rest(self, lead: int, pay: int, warranty: int) -> float:
        """Utility of the non-price issues."""
        return self._lead[lead] + self._pay[pay] + self._warranty[warranty]

    def price_part(self, price: float) -> float:
        # _lin inlined, with the span computed once: this runs on every candidate offer.
        span = self._price_span
        if not span:
            return self.w_price
        u = (price - self.price_worst) / span
        return self.w_price * (0.0 if u < 0.0 else 1.0 if u > 1.0 else u)

    def score(self, price: float, lead: int, pay: int, warranty: int) -> float:
        return self.price_part(price) + self.rest(lead, pay, warranty)

    def score_terms(self, terms: Terms) -> float:
        # score() and rest() inlined: this runs on every offer a move looks at.
        return self.price_part(terms.price) + (
            self._lead[terms.lead_time_days]
            + self._pay[terms.payment_terms_days]
            + self._warranty[terms.warranty_months]
        )

    def price_equivalent(self, terms: Terms, reference: Terms) -> float:
        """The price that, with ``reference``'s non-price terms, would be worth as much to us as
        ``terms`` (price utility extrapolated linearly past its range)."""
        return self.price_value(terms) - self.price_shift(reference)

    def price_value(self, terms: Terms) -> float:
        """``terms``' price equivalent with non-price terms worth nothing to us."""
        return terms.price + self.price_shift(terms)

    def price_shift(self, terms: Terms) -> float:
        """What ``terms``' non-price terms are worth to us, as price."""
        rest = self.rest(terms.lead_time_days, terms.payment_terms_days, terms.warranty_months)
        return rest * self._price_span / self._shift_divisor

    def price_for(self, target: float, rest: float) -> float | None:
        """Price between best and worst giving utility ``target`` with non-price utility ``rest``.

        Returns the worst price when ``rest`` alone reaches the target, None when even the best
        price cannot.
        """
        need = target - rest
        if need <= 0.0:
            return self.price_worst
        if self.w_price <= 0.0 or need > self.w_price + 1e-12:
            return None
        frac = min(1.0, need / self.w_price)
        return self.price_worst + frac * self._price_span


@lru_cache(maxsize=4096)
def brand_scorer(prefs: BrandPreferences) -> Scorer:
    w = prefs.weights.normalised()
    return Scorer(
        w.price,
        w.lead_time,
        w.payment_terms,
        w.warranty,
        price_best=float(prefs.target_price),
        price_worst=float(prefs.max_price),
        lead_best=prefs.ideal_lead,
        lead_worst=prefs.max_lead_time_days,
        pay_best=PAYMENT_TERMS_DAYS[-1],
        pay_worst=0,
        warranty_best=prefs.target_warranty_months,
        warranty_worst=0,
        reservation=prefs.reservation,
    )


@lru_cache(maxsize=4096)
def supplier_scorer(prefs: SupplierPreferences) -> Scorer:
    w = prefs.effective_weights
    return Scorer(
        w.price,
        w.lead_time,
        w.payment_terms,
        w.warranty,
        price_best=float(prefs.list_price),
        price_worst=float(prefs.cost_floor),
        lead_best=prefs.comfortable_lead,
        lead_worst=prefs.fastest_lead_time_days,
        pay_best=prefs.preferred_payment_terms_days,
        pay_worst=PAYMENT_TERMS_DAYS[-1],
        warranty_best=prefs.standard_warranty_months,
        warranty_worst=prefs.max_warranty_months,
        reservation=prefs.reservation,
    )


def brand_utility(terms: Terms, prefs: BrandPreferences) -> float:
    """Brand utility of ``terms`` in [0, 1] (hard limits are checked separately)."""
    return brand_scorer(prefs).score_terms(terms)


def supplier_utility(terms: Terms, prefs: SupplierPreferences) -> float:
    """Supplier utility of ``terms`` in [0, 1] (hard limits are checked separately)."""
    return supplier_scorer(prefs).score_terms(terms)
