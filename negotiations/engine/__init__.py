"""Procur's negotiation engine: pure Python, no Django, deterministic for a given seed.

See ``README.md`` in this package for the public API and an example.
"""

from negotiations.engine.analysis import nash_point, pareto_distance, zopa_exists
from negotiations.engine.arena import Played, play
from negotiations.engine.classic import CLASSIC_AGENTS, ClassicAgent, Ranking
from negotiations.engine.deal_quality import Room, estimated_room, known_room, pareto_gap
from negotiations.engine.guardrails import (
    GuardrailResult,
    agreement_violations,
    brand_limit_violations,
    enforce_brand_limits,
    enforce_supplier_limits,
    supplier_limit_violations,
)
from negotiations.engine.guidance import (
    SUPPLIER_ASKS,
    Guidance,
    apply_guidance,
    parse_guidance,
    partial_minimum,
)
from negotiations.engine.moves import (
    Action,
    Directive,
    Move,
    NegotiationState,
    Side,
    Turn,
    standing_offer,
)
from negotiations.engine.negotiators import (
    PARTIAL_SHIPMENTS_QUESTION,
    BrandNegotiator,
    SupplierNegotiator,
)
from negotiations.engine.preferences import BrandPreferences, SupplierPreferences
from negotiations.engine.profiles import (
    BRAND_PROFILES,
    DEFAULT_BRAND_PROFILE,
    TEMPERAMENTS,
    Profile,
)
from negotiations.engine.referee import Verdict, referee, referee_issues
from negotiations.engine.simulate import Outcome, Transcript, simulate
from negotiations.engine.strategies import STRATEGIES, Strategy
from negotiations.engine.terms import PAYMENT_TERMS_DAYS, Terms, money
from negotiations.engine.utility import brand_utility, supplier_utility
from negotiations.engine.weights import Weights

__all__ = [
    "BRAND_PROFILES",
    "CLASSIC_AGENTS",
    "DEFAULT_BRAND_PROFILE",
    "PARTIAL_SHIPMENTS_QUESTION",
    "PAYMENT_TERMS_DAYS",
    "STRATEGIES",
    "SUPPLIER_ASKS",
    "TEMPERAMENTS",
    "Action",
    "BrandNegotiator",
    "BrandPreferences",
    "ClassicAgent",
    "Directive",
    "GuardrailResult",
    "Guidance",
    "Move",
    "NegotiationState",
    "Outcome",
    "Played",
    "Profile",
    "Ranking",
    "Room",
    "Side",
    "Strategy",
    "SupplierNegotiator",
    "SupplierPreferences",
    "Terms",
    "Transcript",
    "Turn",
    "Verdict",
    "Weights",
    "agreement_violations",
    "apply_guidance",
    "brand_limit_violations",
    "brand_utility",
    "enforce_brand_limits",
    "enforce_supplier_limits",
    "estimated_room",
    "known_room",
    "money",
    "nash_point",
    "pareto_distance",
    "pareto_gap",
    "parse_guidance",
    "partial_minimum",
    "play",
    "referee",
    "referee_issues",
    "simulate",
    "standing_offer",
    "supplier_limit_violations",
    "supplier_utility",
    "zopa_exists",
]
