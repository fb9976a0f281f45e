"""When a quote's three negotiations have ended: compare, recommend, and award."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from negotiations.after_commit import push_quote
from negotiations.engine import Terms, brand_utility
from negotiations.models import (
    APPROVE_AWARDS,
    Message,
    Negotiation,
    NegotiationStatus,
    NotificationKind,
    Quote,
    QuoteStatus,
    Sender,
)
from negotiations.services import deal_quality
from negotiations.services.errors import ProcurError
from negotiations.services.history import record_action
from negotiations.services.notifications import notify
from negotiations.services.preferences import brand_preferences, lead_time_limit_days
from negotiations.services.summary import figures_changed, negotiations_summarise
from negotiations.services.transcript import append_message, lock_negotiation, lock_quote

# What paying later is worth to the brand: the cost of capital, per year.
ANNUAL_COST_OF_CAPITAL = Decimal("0.08")
CENT = Decimal("0.01")


def negotiation_ended(negotiation: Negotiation) -> None:
    """Called, inside the ending transaction, for every negotiation that ends.

    Its summary figures are stored (``services/summary.py``). Whichever negotiation ends last
    finds all three ended and evaluates the quote. The quote's row lock serialises two endings
    that commit at once, so the evaluation runs exactly once. Its figures changed either way
    (``summary.figures_changed``: the analytics' daily summary of the quote's day).
    """
    negotiations_summarise(Negotiation.objects.filter(pk=negotiation.pk))
    quote = lock_quote(negotiation.quote_id)
    if quote.status == QuoteStatus.NEGOTIATING and all(
        n.is_ended for n in quote.negotiations.all()
    ):
        _evaluate(quote)
        notify(
            quote=quote,
            kind=NotificationKind.AWAITING_APPROVAL,
            text=f"{quote} awaits approval. {quote.recommendation['summary']}",
        )
    figures_changed(quote)


def quote_evaluate(*, quote: Quote) -> Quote:
    """Re-run the evaluation of a quote whose negotiations have all ended."""
    with transaction.atomic():
        quote = lock_quote(quote.pk)
        if quote.status != QuoteStatus.AWAITING_APPROVAL:
            raise ProcurError(
                f"Only a quote whose negotiations have ended can be evaluated "
                f"(this one is {quote.get_status_display().lower()})."
            )
        _evaluate(quote)
    return quote


RANKING_RULE = (
    "Ranked by score: 90% your utility of the terms (your stated priorities), 10% the "
    "supplier's reliability. Equal scores go to the lower cost after the value of payment "
    "terms, then the sooner delivery, then the more reliable supplier, then the supplier's "
    "name in alphabetical order."
)
"""The ranking, in words: it reads the agreed terms and the supplier alone, never the slot, the
order in which negotiations ended or the supplier's opening offer."""


def _rank_entry(quote: Quote, negotiation: Negotiation) -> dict:
    entry = {
        "negotiation_id": negotiation.pk,
        "supplier": negotiation.supplier.name,
        "reliability": str(negotiation.supplier.reliability),
        "status": negotiation.status,
        "terms": negotiation.final_terms,
        "brand_utility": negotiation.brand_utility,
        "total_cost": None,
        "effective_cost": None,
        "savings_vs_target": None,
        "savings_vs_opening": None,
        "slack_days": None,
        "score": None,
        **dict.fromkeys(deal_quality.FIELDS),
    }
    if negotiation.status != NegotiationStatus.AGREED or not negotiation.final_terms:
        return entry
    terms = Terms.from_dict(negotiation.final_terms)
    # The score is read from the terms alone, on the quote's stated priorities.
    brand = brand_preferences(negotiation)
    utility = brand_utility(terms, brand)
    total = terms.unit_price * quote.quantity
    financing = total * ANNUAL_COST_OF_CAPITAL * terms.payment_terms_days / 365
    offers = deal_quality.supplier_offers(negotiation)
    opening = offers[0][1].unit_price if offers else None
    entry.update(
        brand_utility=utility,
        total_cost=str(total.quantize(CENT)),
        effective_cost=str((total - financing).quantize(CENT)),
        savings_vs_target=str(
            ((quote.target_price - terms.unit_price) * quote.quantity).quantize(CENT)
        ),
        # Information only: it rewards a supplier that opened high, so it is not in the score.
        savings_vs_opening=(
            str(((opening - terms.unit_price) * quote.quantity).quantize(CENT)) if opening else None
        ),
        slack_days=lead_time_limit_days(quote) - terms.lead_time_days,
        # The brand's own utility decides; the supplier's reliability breaks near-ties.
        score=round(0.9 * utility + 0.1 * float(negotiation.supplier.reliability) / 5, 4),
        **deal_quality.deal_quality(negotiation, terms, offers, brand),
    )
    return entry


def _rank_key(entry: dict) -> tuple:
    """Sort key of :data:`RANKING_RULE`: agreed entries first, the others by supplier name."""
    if entry["score"] is None:
        return (True, (), entry["supplier"])
    return (False, _tie_values(entry), entry["supplier"])


def _tie_values(entry: dict) -> tuple:
    """What decides between agreed entries, in order (smaller is better)."""
    return (
        -entry["score"],
        Decimal(entry["effective_cost"]),
        entry["terms"]["lead_time_days"],
        -Decimal(entry["reliability"]),
    )


_TIE_BREAKS = (
    None,  # the score: not a tie
    "the lower cost after the value of payment terms",
    "the sooner delivery",
    "the more reliable supplier",
)


def _tie_break(best: dict, other: dict) -> str | None:
    """Why ``best`` ranks above ``other`` when they are worth the same to the brand (equal
    scores, or equal utilities that reliability separates), else None."""
    ours, theirs = _tie_values(best), _tie_values(other)
    if ours[0] != theirs[0]:
        if f"{best['brand_utility']:.2f}" != f"{other['brand_utility']:.2f}":
            return None
        return (  # worth the same to the brand: the reliability in the score decided
            f"{best['supplier']} and {other['supplier']} are worth the same to you "
            f"({best['brand_utility']:.2f}); {best['supplier']}'s reliability "
            f"({best['reliability']} against {other['reliability']}) decides."
        )
    decider = next(
        (rule for rule, a, b in zip(_TIE_BREAKS[1:], ours[1:], theirs[1:], strict=True) if a != b),
        "the supplier's name in alphabetical order",
    )
    return f"{best['supplier']} and {other['supplier']} score the same; {decider} decides."


def _reasons(quote: Quote, best: dict, runners_up: list[dict]) -> list[str]:
    terms = Terms.from_dict(best["terms"])
    currency = quote.currency
    reasons = [
        f"Best overall value for your priorities: utility {best['brand_utility']:.2f} "
        f"(price {quote.weight_price}%, lead time {quote.weight_lead_time}%, "
        f"payment terms {quote.weight_payment_terms}%).",
        f"{terms.unit_price} {currency} a unit, {best['total_cost']} {currency} in total; "
        f"{best['effective_cost']} {currency} after the value of {terms.payment_terms_days}-day "
        f"payment terms.",
        f"Delivers in {terms.lead_time_days} days, {best['slack_days']} days before the "
        f"needed-by date.",
    ]
    savings = Decimal(best["savings_vs_target"])
    reasons.append(
        f"Saves {savings} {currency} against your target price."
        if savings >= 0
        else f"Costs {-savings} {currency} more than the target price, within your maximum."
    )
    if best["savings_vs_opening"]:
        reasons.append(
            f"Negotiated {best['savings_vs_opening']} {currency} off the supplier's opening offer "
            "(for information: it is not in the score)."
        )
    reasons.extend(_left_on_table(best, currency))
    reasons.extend(filter(None, (_tie_break(best, other) for other in runners_up)))
    reasons.extend(_comparison(best, other, currency) for other in runners_up)
    return reasons


_METHODS = {
    "curve": "its concession curve, fitted to its offers and projected to the last round",
    "pace": "its pace between its first and last offers, projected to the last round",
}


def _left_on_table(entry: dict, currency: str) -> list[str]:
    """Money left on the table: the estimate, and the exact figures for a simulated supplier."""
    if entry["left_on_table"] is None:
        lines = [
            "Money left on the table: no estimate; the supplier made a single offer, which shows "
            "no pace of concession."
        ]
    else:
        low, high = entry["left_on_table_range"]
        bounds = f", {low} to {high} within the estimate's bounds" if low != high else ""
        lines = [
            f"Money left on the table (estimate): about {entry['left_on_table']} {currency}"
            f"{bounds}; by "
            f"{_METHODS[entry['left_on_table_method']]}, the supplier looked willing to go to "
            f"{entry['supplier_floor_estimate']} {currency} a unit."
        ]
    if entry["left_on_table_known"] is not None:
        lines.append(
            f"Known for this simulated supplier: {entry['left_on_table_known']} {currency} left "
            f"on the table (its floor at these terms was {entry['supplier_floor_known']} "
            f"{currency} a unit); {entry['pareto_distance']:.3f} from the Pareto frontier "
            "(0: no terms were better for both sides)."
        )
    return lines


def _comparison(best: dict, other: dict, currency: str) -> str:
    """Why a runner-up lost, issue by issue: what it offered better and what worse."""
    ours, theirs = Terms.from_dict(best["terms"]), Terms.from_dict(other["terms"])
    # (their value minus ours, whether more is better for the brand, phrase if more, if less)
    issues = [
        (
            Decimal(other["total_cost"]) - Decimal(best["total_cost"]),
            False,
            f"{{}} {currency} dearer in total",
            f"{{}} {currency} cheaper in total",
        ),
        (
            theirs.lead_time_days - ours.lead_time_days,
            False,
            "delivers {} days later",
            "delivers {} days sooner",
        ),
        (
            theirs.payment_terms_days - ours.payment_terms_days,
            True,
            "{} days longer payment terms",
            "{} days shorter payment terms",
        ),
        (
            theirs.warranty_months - ours.warranty_months,
            True,
            "{} months more warranty",
            "{} months less warranty",
        ),
    ]
    better, worse = [], []
    for delta, more_is_better, if_more, if_less in issues:
        if delta:
            phrase = (if_more if delta > 0 else if_less).format(abs(delta))
            (better if (delta > 0) == more_is_better else worse).append(phrase)
    parts = [f"better: {', '.join(better)}"] if better else []
    parts += [f"worse: {', '.join(worse)}"] if worse else []
    left = (
        f"about {other['left_on_table']} {currency} (estimate)"
        if other["left_on_table"] is not None
        else "no estimate"
    )
    if other["left_on_table_known"] is not None:
        left += f", {other['left_on_table_known']} {currency} known"
    return (
        f"{other['supplier']} ({'; '.join(parts) or 'the same terms'}) scores "
        f"{other['brand_utility']:.2f} against {best['brand_utility']:.2f} on your priorities; "
        f"money left on the table: {left}."
    )


def _evaluate(quote: Quote) -> None:
    negotiations = list(quote.negotiations.select_related("supplier"))
    ranking = sorted((_rank_entry(quote, n) for n in negotiations), key=_rank_key)
    agreed = [entry for entry in ranking if entry["score"] is not None]
    if agreed:
        best = agreed[0]
        summary = f"Award {best['supplier']}: {len(agreed)} of {len(ranking)} reached a deal."
        reasons = _reasons(quote, best, agreed[1:])
    else:
        best = None
        summary = "No negotiation reached a deal: nothing to award."
        reasons = [
            f"{e['supplier']}: {NegotiationStatus(e['status']).label.lower()}." for e in ranking
        ]
    quote.recommendation = {
        "recommended_negotiation_id": best["negotiation_id"] if best else None,
        "summary": summary,
        "reasons": reasons,
        "ranking_rule": RANKING_RULE,
        "ranking": ranking,
    }
    quote.status = QuoteStatus.AWAITING_APPROVAL
    quote.ended_at = quote.ended_at or timezone.now()
    quote.save(update_fields=["recommendation", "status", "ended_at"])
    push_quote(quote.pk)


def _close_messages(quote: Quote, winner: Negotiation | None) -> list[Message]:
    """The winner's confirmation and a polite close to every other supplier that agreed."""
    messages = []
    for negotiation in quote.negotiations.filter(status=NegotiationStatus.AGREED).order_by("pk"):
        negotiation = lock_negotiation(negotiation.pk)
        if winner and negotiation.pk == winner.pk:
            text = (
                f"Good news: we are awarding you this order of {quote.quantity} {quote.unit} of "
                f"{quote.product} on the agreed terms. Our team will send the purchase order."
            )
        else:
            text = (
                "Thank you for your offer and your time. We have awarded this order to another "
                "supplier, and hope to work with you on a future request."
            )
        messages.append(append_message(negotiation, sender=Sender.BRAND, text=text))
        negotiation.save(update_fields=["last_activity_at"])
    return messages


def _check_may_decide(author) -> None:
    """Everyone in the organisation watches and guides; awarding or closing takes the
    "approve awards" permission, which the organisation's staff grant in the admin."""
    if author is None or not author.has_perm(APPROVE_AWARDS):
        raise ProcurError(
            'Awarding or closing a quote needs the "approve awards" permission: ask a '
            "staff member of your organisation to grant it to you."
        )


def quote_award(*, quote: Quote, negotiation: Negotiation, author) -> Quote:
    """Award the quote to one of its agreed negotiations, recording who approved and when."""
    _check_may_decide(author)
    with transaction.atomic():
        if negotiation.quote_id != quote.pk:
            raise ProcurError("That negotiation belongs to another quote.")
        if negotiation.status != NegotiationStatus.AGREED:
            raise ProcurError("Only a negotiation that reached a deal can be awarded.")
        _close_messages(quote, winner=negotiation)
        quote = lock_quote(quote.pk)
        if quote.status != QuoteStatus.AWAITING_APPROVAL:
            raise ProcurError(
                f"This quote is {quote.get_status_display().lower()}, not awaiting approval."
            )
        quote.status = QuoteStatus.AWARDED
        quote.awarded_negotiation = negotiation
        record_action(quote, author, f"Awarded to {negotiation.supplier.name}")
        quote.awarded_by = author
        quote.awarded_at = timezone.now()
        quote.save(update_fields=["status", "awarded_negotiation", "awarded_by", "awarded_at"])
        figures_changed(quote)
        push_quote(quote.pk)
    return quote


def quote_close_without_award(*, quote: Quote, author) -> Quote:
    """Close the quote with no award, recording who decided and when."""
    _check_may_decide(author)
    with transaction.atomic():
        _close_messages(quote, winner=None)
        quote = lock_quote(quote.pk)
        if quote.status != QuoteStatus.AWAITING_APPROVAL:
            raise ProcurError(
                f"This quote is {quote.get_status_display().lower()}, not awaiting approval."
            )
        quote.status = QuoteStatus.CLOSED
        record_action(quote, author, "Closed without award")
        quote.closed_by = author
        quote.closed_at = timezone.now()
        quote.save(update_fields=["status", "closed_by", "closed_at"])
        figures_changed(quote)
        push_quote(quote.pk)
    return quote
