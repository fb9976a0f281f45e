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
    if terms.currency != prefs.currency:
        return None, [f"currency {terms.currency} is not the quote's {prefs.currency}"]
    problems: list[str] = []
    price, lead, quantity = terms.unit_price, terms.lead_time_days, terms.quantity
    if price > prefs.max_price:
        problems.append(f"unit price {price} above the maximum {prefs.max_price}")
        price = prefs.max_price
    if lead > prefs.max_lead_time_days:
        problems.append(f"lead time {lead}d past the needed-by limit {prefs.max_lead_time_days}d")
        lead = prefs.max_lead_time_days
    least = prefs.least_quantity
    if not least <= quantity <= prefs.quantity:
        required = (
            f"the {prefs.quantity} required"
            if least == prefs.quantity
            else f"within the {least} to {prefs.quantity} accepted"
        )
        problems.append(f"quantity {quantity} is not {required}")
        quantity = min(max(quantity, least), prefs.quantity)
    return _clamped(terms, problems, price, quantity, lead), problems


def clamp_to_supplier_limits(
    terms: Terms, prefs: SupplierPreferences, quantity: int
) -> tuple[Terms | None, list[str]]:
    """Like :func:`clamp_to_brand_limits` for the supplier; ``quantity`` is the requested one."""
    if terms.currency != prefs.currency:
        return None, [f"currency {terms.currency} is not {prefs.currency}"]
    problems: list[str] = []
    price, lead, units = terms.unit_price, terms.lead_time_days, terms.quantity
    if price < prefs.cost_floor:
        problems.append(f"unit price {price} below the cost floor {prefs.cost_floor}")
        price = Decimal(prefs.cost_floor)
    if lead < prefs.fastest_lead_time_days:
        problems.append(
            f"lead time {lead}d faster than the fastest possible {prefs.fastest_lead_time_days}d"
        )
        lead = prefs.fastest_lead_time_days
    max_units = min(prefs.capacity, quantity)
    if units > max_units:
        problems.append(f"quantity {units} above what can be supplied ({max_units})")
        if max_units < 1:
            return None, problems
        units = max_units
    return _clamped(terms, problems, price, units, lead), problems


def _clamped(terms: Terms, problems: list[str], price: Decimal, quantity: int, lead: int) -> Terms:
    """``terms`` with the clamped price, quantity and lead time (``terms`` if nothing was
    outside the limits)."""
    if not problems:
        return terms
    return Terms(
        price, quantity, lead, terms.payment_terms_days, terms.warranty_months, terms.currency
    )


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
    return _enforce(move, lambda terms: clamp_to_brand_limits(terms, prefs), standing_offer)


def enforce_supplier_limits(
    move: Move, prefs: SupplierPreferences, quantity: int, standing_offer: Terms | None
) -> GuardrailResult:
    """Never below ``cost_floor``, never more than ``capacity`` (or than the ``quantity``
    requested), never faster than ``fastest_lead_time_days``. ``standing_offer`` is the
    brand's offer on the table: an ACCEPT accepts exactly those terms, or nothing."""
    return _enforce(
        move, lambda terms: clamp_to_supplier_limits(terms, prefs, quantity), standing_offer
    )


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
