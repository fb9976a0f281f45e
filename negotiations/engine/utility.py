"""Linear-additive utilities in [0, 1].

Each issue contributes a piecewise-linear score between a *worst* value (0) and a *best* value
(1), weighted by the side's normalised weights. :class:`Scorer` holds the precomputed floats so
negotiators can score thousands of candidate offers per second.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from negotiations.engine.preferences import BrandPreferences, SupplierPreferences
from negotiations.engine.terms import PAYMENT_TERMS_DAYS, Terms


def _lin(x: float, best: float, worst: float) -> float:
    if best == worst:
        return 1.0
    u = (x - worst) / (best - worst)
    return 0.0 if u < 0.0 else 1.0 if u > 1.0 else u


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

    def lead_part(self, lead: float) -> float:
        return self.w_lead * _lin(lead, self.lead_best, self.lead_worst)

    def pay_part(self, pay: float) -> float:
        return self.w_pay * _lin(pay, self.pay_best, self.pay_worst)

    def warranty_part(self, warranty: float) -> float:
        return self.w_warranty * _lin(warranty, self.warranty_best, self.warranty_worst)

    def rest(self, lead: int, pay: int, warranty: int) -> float:
        """Utility of the non-price issues (the three parts inlined: this runs on every
        candidate offer)."""
        return (
            self.w_lead * _lin(lead, self.lead_best, self.lead_worst)
            + self.w_pay * _lin(pay, self.pay_best, self.pay_worst)
            + self.w_warranty * _lin(warranty, self.warranty_best, self.warranty_worst)
        )

    def price_part(self, price: float) -> float:
        return self.w_price * _lin(price, self.price_best, self.price_worst)

    def score(self, price: float, lead: int, pay: int, warranty: int) -> float:
        return self.price_part(price) + self.rest(lead, pay, warranty)

    def score_terms(self, terms: Terms) -> float:
        return self.score(
            float(terms.unit_price),
            terms.lead_time_days,
            terms.payment_terms_days,
            terms.warranty_months,
        )

    def price_equivalent(self, terms: Terms, reference: Terms) -> float:
        """The price that, with ``reference``'s non-price terms, would be worth as much to us as
        ``terms`` (price utility extrapolated linearly past its range)."""
        return self.price_value(terms) - self.price_shift(reference)

    def price_value(self, terms: Terms) -> float:
        """``terms``' price equivalent with non-price terms worth nothing to us."""
        return float(terms.unit_price) + self.price_shift(terms)

    def price_shift(self, terms: Terms) -> float:
        """What ``terms``' non-price terms are worth to us, as price."""
        rest = self.rest(terms.lead_time_days, terms.payment_terms_days, terms.warranty_months)
        return rest * (self.price_best - self.price_worst) / max(self.w_price, 0.05)

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
        return self.price_worst + frac * (self.price_best - self.price_worst)


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
