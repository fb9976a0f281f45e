"""The referee grades the supplier's standing offer from the brand's point of view."""

from __future__ import annotations

from enum import StrEnum

from negotiations.engine.preferences import BrandPreferences
from negotiations.engine.terms import Terms
from negotiations.engine.utility import brand_utility


class Verdict(StrEnum):
    PASS = "pass"
    """Meets or beats the brand's target on every graded issue."""
    NEUTRAL = "neutral"
    """Acceptable (inside the limits and the reservation) but short of target somewhere."""
    FAIL = "fail"
    """Worse than a limit or the reservation, or no clear offer."""


def referee_issues(offer: Terms, prefs: BrandPreferences) -> dict[str, Verdict]:
    """Per-issue grades: lower is better for price and lead time, quantity must match."""
    return {
        "unit_price": _lower_is_better(
            offer.price, float(prefs.target_price), float(prefs.max_price)
        ),
        "lead_time_days": _lower_is_better(
            offer.lead_time_days, prefs.ideal_lead, prefs.max_lead_time_days
        ),
        "quantity": (
            Verdict.PASS
            if prefs.least_quantity <= offer.quantity <= prefs.quantity
            else Verdict.FAIL
        ),
        "currency": Verdict.PASS if offer.currency == prefs.currency else Verdict.FAIL,
    }


def referee(offer: Terms | None, prefs: BrandPreferences) -> Verdict:
    """PASS if every issue meets target, FAIL if any breaks a limit, the offer's utility is
    under the brand's reservation or there is no offer, NEUTRAL otherwise."""
    if offer is None:
        return Verdict.FAIL
    grades = referee_issues(offer, prefs).values()
    # Utilities are never negative: only a positive reservation needs the offer scored.
    if Verdict.FAIL in grades or (
        prefs.reservation > 0 and brand_utility(offer, prefs) < prefs.reservation
    ):
        return Verdict.FAIL
    return Verdict.NEUTRAL if Verdict.NEUTRAL in grades else Verdict.PASS


def _lower_is_better(value: float, target: float, limit: float) -> Verdict:
    if value <= target:
        return Verdict.PASS
    return Verdict.NEUTRAL if value <= limit else Verdict.FAIL
