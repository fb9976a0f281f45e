"""Each side's preferences: what it wants, its hard limits and its strategy profile."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from negotiations.engine.profiles import BRAND_PROFILES, DEFAULT_BRAND_PROFILE, TEMPERAMENTS
from negotiations.engine.terms import money
from negotiations.engine.weights import Weights


@dataclass(frozen=True)
class BrandPreferences:
    """The buying brand's side, taken from the quote.

    Hard limits: ``max_price``, ``max_lead_time_days`` and the full ``quantity`` (or, once staff
    allow partial shipments, at least ``min_quantity`` of it). Utility is 1 at
    ``target_price`` / ``ideal_lead_time_days`` / 90-day payment / ``target_warranty_months`` and
    0 at the limits; ``reservation`` is the lowest utility the brand settles for (0 means any
    terms inside the hard limits are acceptable).
    """

    quantity: int
    target_price: Decimal
    max_price: Decimal
    max_lead_time_days: int
    weights: Weights
    currency: str = "USD"
    ideal_lead_time_days: int | None = None
    profile: str = DEFAULT_BRAND_PROFILE
    reservation: float = 0.0
    target_warranty_months: int = 12
    min_quantity: int | None = None

    def __post_init__(self) -> None:
        # Prices in cents; a limit between two cents is rounded to the safe side.
        object.__setattr__(self, "target_price", money(self.target_price))
        object.__setattr__(self, "max_price", money(self.max_price, ROUND_FLOOR))
        if self.quantity < 1:
            raise ValueError("quantity must be >= 1")
        if self.min_quantity is not None and not 1 <= self.min_quantity <= self.quantity:
            raise ValueError("min_quantity must lie in 1..quantity")
        if not 0 < self.target_price <= self.max_price:
            raise ValueError("need 0 < target_price <= max_price")
        if self.max_lead_time_days < 1:
            raise ValueError("max_lead_time_days must be >= 1")
        if not 0 <= self.ideal_lead <= self.max_lead_time_days:
            raise ValueError("ideal_lead_time_days must lie in 0..max_lead_time_days")
        if self.profile not in BRAND_PROFILES:
            raise ValueError(
                f"unknown brand profile {self.profile!r}; one of {list(BRAND_PROFILES)}"
            )
        if not 0 <= self.reservation < 1:
            raise ValueError("reservation must be in [0, 1)")

    @property
    def least_quantity(self) -> int:
        """The fewest units the brand takes (the full quantity unless partial is allowed)."""
        return self.quantity if self.min_quantity is None else self.min_quantity

    @property
    def ideal_lead(self) -> int:
        """Lead time at which lead-time utility is 1 (defaults to half the maximum)."""
        if self.ideal_lead_time_days is None:
            return self.max_lead_time_days // 2
        return self.ideal_lead_time_days


@dataclass(frozen=True)
class SupplierPreferences:
    """The supplier's side, from its profile.

    Hard limits: never below ``cost_floor``, never more than ``capacity`` units, never faster
    than ``fastest_lead_time_days``. Utility is 1 at ``list_price``, a lead time of
    ``comfortable_lead`` or more, payment within ``preferred_payment_terms_days`` and the
    standard warranty; 0 at the cost floor, fastest lead time, 90-day payment, max warranty.
    ``weights`` default to the temperament's.
    """

    cost_floor: Decimal
    list_price: Decimal
    fastest_lead_time_days: int
    preferred_payment_terms_days: int
    capacity: int
    temperament: str = "balanced"
    currency: str = "USD"
    weights: Weights | None = None
    comfortable_lead_time_days: int | None = None
    standard_warranty_months: int = 12
    max_warranty_months: int = 24
    reservation: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "cost_floor", money(self.cost_floor, ROUND_CEILING))
        object.__setattr__(self, "list_price", money(self.list_price))
        if not 0 < self.cost_floor <= self.list_price:
            raise ValueError("need 0 < cost_floor <= list_price")
        if self.fastest_lead_time_days < 0 or self.capacity < 0:
            raise ValueError("fastest_lead_time_days and capacity must be >= 0")
        if not 0 <= self.preferred_payment_terms_days <= 90:
            raise ValueError("preferred_payment_terms_days must be in 0..90")
        if self.temperament not in TEMPERAMENTS:
            raise ValueError(
                f"unknown temperament {self.temperament!r}; one of {list(TEMPERAMENTS)}"
            )
        if self.comfortable_lead < self.fastest_lead_time_days:
            raise ValueError("comfortable_lead_time_days must be >= fastest_lead_time_days")
        if not 0 <= self.standard_warranty_months <= self.max_warranty_months:
            raise ValueError("need 0 <= standard_warranty_months <= max_warranty_months")
        if not 0 <= self.reservation < 1:
            raise ValueError("reservation must be in [0, 1)")

    @property
    def comfortable_lead(self) -> int:
        """Lead time from which lead-time utility is 1 (defaults to twice the fastest + a week)."""
        if self.comfortable_lead_time_days is None:
            return 2 * self.fastest_lead_time_days + 7
        return self.comfortable_lead_time_days

    @property
    def effective_weights(self) -> Weights:
        return (self.weights or TEMPERAMENTS[self.temperament].weights).normalised()
