"""Hard limits, checked on every outgoing move, and agreements, checked again at commit.

A violating move is replaced by the nearest compliant one (offer terms clamped to the limits;
an ACCEPT of a non-compliant offer, or of terms other than the offer on the table, becomes a
COUNTER with the clamped terms; an ACCEPT with nothing on the table becomes a REJECT) and each
violation is reported, both in :class:`GuardrailResult` and on the returned move.

An agreement is always exactly the other side's standing offer, inside both sides' limits:
:func:`agreement_violations` says why one is not (the commit re-checks with it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal

from negotiations.engine.moves import Action, Move
from negotiations.engine.preferences import BrandPreferences, SupplierPreferences
from negotiations.engine.terms import Terms


@dataclass(frozen=True, slots=True)
class GuardrailResult:
    move: Move
    violations: tuple[str, ...] = ()


Clamp = Callable[[Terms], tuple[Terms | None, list[str]]]

NOTHING_ON_THE_TABLE = "accept with no offer from the other side on the table"
NOT_THE_OFFER = "accepted terms differ from the offer on the table"


def clamp_to_brand_limits(terms: Terms, prefs: BrandPreferences) -> tuple[Terms | None, list[str]]:
    """The nearest terms inside the brand's hard limits (None if there are none) and why
    ``terms`` were outside them (empty when they weren't)."""
    return _brand_clamp(prefs)(terms)


def clamp_to_supplier_limits(
    terms: Terms, prefs: SupplierPreferences, quantity: int
) -> tuple[Terms | None, list[str]]:
    """Like :func:`clamp_to_brand_limits` for the supplier; ``quantity`` is the requested one."""
    return _supplier_clamp(prefs, quantity)(terms)


def brand_limit_violations(terms: Terms, prefs: BrandPreferences) -> list[str]:
    """Why ``terms`` break the brand's hard limits (empty when they don't)."""
    return clamp_to_brand_limits(terms, prefs)[1]


def supplier_limit_violations(terms: Terms, prefs: SupplierPreferences, quantity: int) -> list[str]:
    """Why ``terms`` break the supplier's hard limits (empty when they don't)."""
    return clamp_to_supplier_limits(terms, prefs, quantity)[1]


def enforce_brand_limits(
    move: Move, prefs: BrandPreferences, standing_offer: Terms | None
) -> GuardrailResult:
    """Never propose or accept above ``max_price``, past ``max_lead_time_days`` or for a
    quantity other than the quote's (or below ``min_quantity`` when partial is allowed).
    ``standing_offer`` is the supplier's offer on the table: an ACCEPT accepts exactly those
    terms, or nothing."""
    return _enforce(move, _brand_clamp(prefs), standing_offer)


def enforce_supplier_limits(
    move: Move, prefs: SupplierPreferences, quantity: int, standing_offer: Terms | None
) -> GuardrailResult:
    """Never below ``cost_floor``, never more than ``capacity`` (or than the ``quantity``
    requested), never faster than ``fastest_lead_time_days``. ``standing_offer`` is the
    brand's offer on the table: an ACCEPT accepts exactly those terms, or nothing."""
    return _enforce(move, _supplier_clamp(prefs, quantity), standing_offer)


def agreement_violations(
    terms: Terms | None,
    standing_offer: Terms | None,
    brand: BrandPreferences,
    supplier: SupplierPreferences | None,
    quantity: int,
) -> list[str]:
    """Why accepting ``terms`` is not a valid agreement (empty when it is).

    Valid: ``terms`` are exactly ``standing_offer``, the other side's offer on the table, and lie
    inside the brand's and the supplier's hard limits (``quantity`` is the quantity requested).
    ``supplier`` is None when a person answers for the supplier: its limits are its own to keep.
    """
    if standing_offer is None:
        return [NOTHING_ON_THE_TABLE]
    if terms is None:
        return ["accept without terms"]
    problems = [] if terms == standing_offer else [NOT_THE_OFFER]
    problems += [f"brand limit: {p}" for p in brand_limit_violations(terms, brand)]
    if supplier is not None:
        problems += [
            f"supplier limit: {p}" for p in supplier_limit_violations(terms, supplier, quantity)
        ]
    return problems


def _brand_clamp(prefs: BrandPreferences) -> Clamp:
    def clamp(terms: Terms) -> tuple[Terms | None, list[str]]:
        problems: list[str] = []
        changes: dict[str, object] = {}
        if terms.currency != prefs.currency:
            problems.append(f"currency {terms.currency} is not the quote's {prefs.currency}")
            return None, problems
        if terms.unit_price > prefs.max_price:
            problems.append(f"unit price {terms.unit_price} above the maximum {prefs.max_price}")
            changes["unit_price"] = prefs.max_price
        if terms.lead_time_days > prefs.max_lead_time_days:
            problems.append(
                f"lead time {terms.lead_time_days}d past the needed-by limit "
                f"{prefs.max_lead_time_days}d"
            )
            changes["lead_time_days"] = prefs.max_lead_time_days
        least = prefs.least_quantity
        if not least <= terms.quantity <= prefs.quantity:
            required = (
                f"the {prefs.quantity} required"
                if least == prefs.quantity
                else f"within the {least} to {prefs.quantity} accepted"
            )
            problems.append(f"quantity {terms.quantity} is not {required}")
            changes["quantity"] = min(max(terms.quantity, least), prefs.quantity)
        return (terms.replace(**changes) if changes else terms), problems

    return clamp


def _supplier_clamp(prefs: SupplierPreferences, quantity: int) -> Clamp:
    max_units = min(prefs.capacity, quantity)

    def clamp(terms: Terms) -> tuple[Terms | None, list[str]]:
        problems: list[str] = []
        changes: dict[str, object] = {}
        if terms.currency != prefs.currency:
            problems.append(f"currency {terms.currency} is not {prefs.currency}")
            return None, problems
        if terms.unit_price < prefs.cost_floor:
            problems.append(
                f"unit price {terms.unit_price} below the cost floor {prefs.cost_floor}"
            )
            changes["unit_price"] = Decimal(prefs.cost_floor)
        if terms.lead_time_days < prefs.fastest_lead_time_days:
            problems.append(
                f"lead time {terms.lead_time_days}d faster than the fastest possible "
                f"{prefs.fastest_lead_time_days}d"
            )
            changes["lead_time_days"] = prefs.fastest_lead_time_days
        if terms.quantity > max_units:
            problems.append(f"quantity {terms.quantity} above what can be supplied ({max_units})")
            if max_units < 1:
                return None, problems
            changes["quantity"] = max_units
        return (terms.replace(**changes) if changes else terms), problems

    return clamp


def _enforce(move: Move, clamp: Clamp, standing_offer: Terms | None) -> GuardrailResult:
    if move.action is Action.ACCEPT:
        return _enforce_accept(move, clamp, standing_offer)
    if move.terms is None:
        if move.action in (Action.PROPOSE, Action.COUNTER):
            return _flag(Move(Action.REJECT, strategies=move.strategies), ["offer without terms"])
        return GuardrailResult(move)
    fixed, problems = clamp(move.terms)
    if not problems:
        return GuardrailResult(move)
    if fixed is None:
        return _flag(Move(Action.REJECT, strategies=move.strategies), problems)
    return _flag(replace(move, terms=fixed), problems)


def _enforce_accept(move: Move, clamp: Clamp, standing_offer: Terms | None) -> GuardrailResult:
    if standing_offer is None:
        return _flag(Move(Action.REJECT, strategies=move.strategies), [NOTHING_ON_THE_TABLE])
    accepted = move.terms if move.terms is not None else standing_offer
    problems: list[str] = []
    if accepted != standing_offer:
        problems.append(NOT_THE_OFFER)
    fixed, limit_problems = clamp(accepted)
    problems += limit_problems
    if not problems:
        return GuardrailResult(replace(move, terms=accepted))
    if fixed is None:
        return _flag(Move(Action.REJECT, strategies=move.strategies), problems)
    return _flag(Move(Action.COUNTER, fixed, move.strategies, move.rationale), problems)


def _flag(move: Move, problems: list[str]) -> GuardrailResult:
    violations = tuple(problems)
    notes = tuple(f"Guardrail: {p}." for p in violations)
    return GuardrailResult(
        replace(move, rationale=move.rationale + notes, violations=move.violations + violations),
        violations,
    )
