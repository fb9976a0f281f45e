"""A quote's life before and around its negotiations: validate, shortlist, start."""

import random
from collections.abc import Sequence
from datetime import date

from django.db import transaction
from django.utils import timezone

from negotiations.after_commit import enqueue_first_turns, push_state
from negotiations.engine import BRAND_PROFILES, DEFAULT_BRAND_PROFILE
from negotiations.models import Negotiation, Quote, QuoteStatus, SupplierMode
from negotiations.services.errors import ProcurError
from negotiations.services.history import record_action
from negotiations.services.invitations import invitation_issue
from vendors.models import Supplier

SUPPLIERS_PER_QUOTE = 3
MIN_LEAD_DAYS = 2


def quote_validation_errors(*, quote: Quote) -> dict[str, list[str]]:
    """What stops this quote from being negotiated, by field (the form shows the same)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not quote.quantity or quote.quantity < 1:
        add("quantity", "Enter a quantity of at least 1.")
    if quote.target_price is not None and quote.target_price <= 0:
        add("target_price", "The target price must be above zero.")
    if quote.target_price and quote.max_price and quote.max_price < quote.target_price:
        add("max_price", "The maximum price cannot be below the target price.")
    if quote.needed_by and (quote.needed_by - date.today()).days < MIN_LEAD_DAYS:
        add("needed_by", f"The needed-by date must be at least {MIN_LEAD_DAYS} days from today.")
    weights = (quote.weight_price, quote.weight_lead_time, quote.weight_payment_terms)
    if sum(w or 0 for w in weights) <= 0:
        add("weight_price", "Give at least one priority a weight above zero.")
    if quote.brand_profile not in dict(brand_profile_choices()):
        add("brand_profile", f"Unknown negotiating profile {quote.brand_profile!r}.")
    return errors


def _fit(supplier: Supplier, quote: Quote) -> float:
    """How well a supplier fits a quote: category, capacity, lead time against need, rating."""
    days = max((quote.needed_by - date.today()).days, 1)
    score = float(supplier.reliability)
    score += 3 if not quote.category or supplier.supplies(quote.category) else 0
    score += 2 if supplier.capacity >= quote.quantity else 0
    score += 2 if supplier.fastest_lead_time_days <= days else 0
    score += 1 if supplier.cost_floor <= quote.max_price else 0
    return score


def shortlist_suppliers(*, quote: Quote, count: int = SUPPLIERS_PER_QUOTE) -> list[Supplier]:
    """The best-fitting active suppliers of the quote's organisation that price in its currency
    (prices in two currencies cannot be compared, nor held to the quote's limits)."""
    candidates = Supplier.objects.filter(
        organisation_id=quote.organisation_id, is_active=True, currency__iexact=quote.currency
    )
    return sorted(candidates, key=lambda s: (-_fit(s, quote), s.name))[:count]


def _too_few_suppliers(quote: Quote, found: int) -> ProcurError:
    """Why the shortlist came up short: too few suppliers at all, or too few in the currency."""
    active = Supplier.objects.filter(organisation_id=quote.organisation_id, is_active=True)
    currency = quote.currency.upper()
    if active.count() >= SUPPLIERS_PER_QUOTE:
        others = sorted({c.upper() for c in active.values_list("currency", flat=True)} - {currency})
        if found == 0:
            return ProcurError(
                f"No active supplier of your organisation prices in {currency} (they price in "
                f"{', '.join(others)}), and Procur does not negotiate across currencies. Set the "
                f"quote's currency to one your suppliers use, or add suppliers that price in "
                f"{currency}.",
                {"currency": [f"No active supplier prices in {currency}."]},
            )
        return ProcurError(
            f"Procur needs {SUPPLIERS_PER_QUOTE} active suppliers that price in {currency}; your "
            f"organisation has {found} (the others price in {', '.join(others)}). Add suppliers "
            f"that price in {currency}, or use another currency.",
            {"currency": [f"Only {found} active supplier(s) price in {currency}."]},
        )
    return ProcurError(
        f"Procur needs {SUPPLIERS_PER_QUOTE} active suppliers to negotiate with; your "
        f"organisation has {active.count()}. Add suppliers in the directory first.",
        {"suppliers": ["Not enough active suppliers."]},
    )


def _chosen_suppliers(quote: Quote, suppliers: Sequence[Supplier] | None) -> list[Supplier]:
    if suppliers is None:
        chosen = shortlist_suppliers(quote=quote)
        if len(chosen) < SUPPLIERS_PER_QUOTE:
            raise _too_few_suppliers(quote, len(chosen))
        return chosen
    chosen = list({s.pk: s for s in suppliers}.values())
    if len(chosen) != SUPPLIERS_PER_QUOTE:
        raise ProcurError(
            f"Pick exactly {SUPPLIERS_PER_QUOTE} different suppliers, or let Procur shortlist.",
            {"suppliers": [f"Pick exactly {SUPPLIERS_PER_QUOTE} suppliers."]},
        )
    for supplier in chosen:
        if supplier.organisation_id != quote.organisation_id or not supplier.is_active:
            raise ProcurError(
                f"{supplier.name} is not an active supplier of your organisation.",
                {"suppliers": [f"{supplier.name} cannot be picked."]},
            )
        if supplier.currency.upper() != quote.currency.upper():
            raise ProcurError(
                f"{supplier.name} prices in {supplier.currency}, not in the quote's "
                f"{quote.currency}: pick suppliers that price in {quote.currency}, or change the "
                f"quote's currency.",
                {"suppliers": [f"{supplier.name} prices in {supplier.currency}."]},
            )
    return chosen


def invited_supplier_errors(
    *, suppliers: Sequence[Supplier] | None, invited: Sequence[Supplier]
) -> dict[str, list[str]]:
    """Why these suppliers cannot be invited to answer themselves, under ``"invite"`` (the
    quote form shows the same): each must be one of the suppliers picked (Procur's shortlist is
    not known until the start, so inviting takes an explicit pick) and have a contact email."""
    errors: list[str] = []
    if invited and not suppliers:
        errors.append(
            "To invite suppliers, pick the three suppliers yourself (Procur's shortlist is only "
            "simulated)."
        )
    else:
        picked = {s.pk for s in suppliers or ()}
        errors += [
            f"{s.name} is not one of the suppliers picked." for s in invited if s.pk not in picked
        ]
    errors += [
        f"{s.name} has no contact email to send the invitation to: add one in the supplier "
        "directory, or let its simulated agent negotiate."
        for s in invited
        if not s.contact_email
    ]
    return {"invite": errors} if errors else {}


def brand_strategy_for(quote: Quote) -> str:
    """The brand's negotiating profile: the engine's default, the best measured in its
    tournament (docs/benchmarks.md) whatever the priorities."""
    return DEFAULT_BRAND_PROFILE


# The benchmark's yardsticks, not profiles to negotiate a real order with.
BENCHMARK_ONLY_PROFILES = frozenset({"naive_split"})


def _profile_name(profile_id: str) -> str:
    return profile_id.replace("_", " ").capitalize()


def brand_profile_choices() -> list[tuple[str, str]]:
    """The negotiating profiles staff may pick for a quote, one sentence each; the blank choice
    leaves it to :func:`brand_strategy_for` when the quote starts (named here as it decides
    for a quote with the form's default priorities)."""
    recommended = _profile_name(brand_strategy_for(Quote()))
    return [
        ("", f"Recommended: the profile Procur's tournament measured best (now {recommended}).")
    ] + [
        (profile.id, f"{_profile_name(profile.id)}: {profile.description}")
        for profile in BRAND_PROFILES.values()
        if profile.id not in BENCHMARK_ONLY_PROFILES
    ]


def quote_start(
    *,
    quote: Quote,
    suppliers: Sequence[Supplier] | None = None,
    invited: Sequence[Supplier] = (),
) -> list[Negotiation]:
    """Start the three negotiations of a draft quote; their first turns run after commit.

    ``invited``: the picked suppliers who answer themselves rather than through their simulated
    agent; each is emailed a link to the supplier portal once the start commits.
    """
    errors = quote_validation_errors(quote=quote) or invited_supplier_errors(
        suppliers=suppliers, invited=invited
    )
    if errors:
        first = next(iter(errors.values()))[0]
        raise ProcurError(f"This quote cannot be negotiated yet: {first}", errors)
    with transaction.atomic():
        quote = Quote.objects.select_for_update().get(pk=quote.pk)
        if quote.status != QuoteStatus.DRAFT:
            raise ProcurError(
                f"This quote has already been started (it is {quote.get_status_display().lower()})."
            )
        chosen = _chosen_suppliers(quote, suppliers)
        quote.status = QuoteStatus.NEGOTIATING
        quote.started_at = timezone.now()
        invited_ids = {s.pk for s in invited}
        names = [s.name + (" (invited)" if s.pk in invited_ids else "") for s in chosen]
        record_action(quote, None, "Started: negotiating with " + ", ".join(names))
        quote.save(update_fields=["status", "started_at"])
        # Staff's pick, else the measured best.
        strategy = quote.brand_profile or brand_strategy_for(quote)
        negotiations = [
            Negotiation.objects.create(
                quote=quote,
                supplier=supplier,
                slot=slot,
                brand_strategy=strategy,
                seed=random.randrange(1, 10**6),
                last_activity_at=quote.started_at,
                supplier_mode=SupplierMode.INVITED
                if supplier.pk in invited_ids
                else SupplierMode.SIMULATED,
            )
            for slot, supplier in enumerate(chosen, start=1)
        ]
        for negotiation in negotiations:
            if negotiation.supplier_mode == SupplierMode.INVITED:
                invitation_issue(negotiation=negotiation, by=quote.created_by)
            # No portal is open yet: its link is issued in this transaction.
            push_state(negotiation, supplier_sees=False)
        enqueue_first_turns(negotiations)
    return negotiations
