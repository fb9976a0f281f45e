"""What the brand's messages must never tell the supplier, checked in code before one is stored.

The brand's numbers are held by the engine's guardrails; its words are held here. A brand
message must not state a confidential figure (the maximum price in force, the quote's own
maximum and target, the price at the brand's reservation, any figure from staff guidance or
answers) unless that figure is an offer already on the table; must not name the other
suppliers of the quote; must not quote staff; and may cite a competing price only when a real
standing offer from another negotiation of the quote has that price with terms at least as
good for the brand (:func:`citable_competing_prices`, which the scripted voice uses too).

Pure Python, like the engine: the orchestration gathers the confidential facts into a
:class:`Confidential` and every voice's text goes through :func:`disclosure_problems`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from negotiations.engine import Move, Side, Terms, money, standing_offer
from negotiations.engine.moves import OFFER_ACTIONS
from negotiations.engine.utility import brand_scorer

if TYPE_CHECKING:
    from negotiations.agents.context import AgentContext

# A number: 1,234.56 or 1234.56 or 2.4 (a leading currency sign is not part of it).
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w])")
# Words after a number that make it a count, a duration or a share rather than a price.
_NOT_MONEY_AFTER = re.compile(
    r"\s*-?\s*(%|per\s*cent|percent|days?|d\b|weeks?|months?|m\b|years?|units?|pieces?|pcs"
    r"|rounds?|x\b|times)",
    re.IGNORECASE,
)
_NOT_MONEY_BEFORE = re.compile(r"\b(net|round)\s*$", re.IGNORECASE)
_COMPETITION = re.compile(
    r"\b(compet\w*|rival\w*|elsewhere|alternatives?|other (suppliers?|offers?|quotes?|bids?|"
    r"vendors?)|another (supplier|offer|quote|bid|vendor)|(better|lower|cheaper) (offer|quote|"
    r"bid|price)s? (from|on the table|we have))\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?;\n])\s+")  # where a sentence ends
TEXT_VIOLATION = "message text {}"
"""How a disclosure is recorded among a message's guardrail corrections (and counted)."""
MIN_QUOTED_WORDS = 6
"""This many consecutive words of what staff wrote, repeated in a brand message, quote staff."""
_WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class Confidential:
    """What the brand knows and the supplier must not learn, beyond the brand's effective
    preferences (whose maximum and target are confidential too).

    ``figures``: the quote's own maximum and target and every figure staff wrote in guidance
    or answers; ``names``: the other suppliers of the quote; ``staff_texts``: what staff wrote.
    """

    figures: tuple[Decimal, ...] = ()
    names: tuple[str, ...] = ()
    staff_texts: tuple[str, ...] = ()


def price_figures(text: str, unit: str = "units") -> list[Decimal]:
    """The numbers in ``text`` that may be prices: every number except counts, durations and
    shares (followed by days, months, %, the quote's ``unit``…; or after "net" or "in")."""
    unit_word = re.compile(rf"\s*-?\s*{re.escape(unit)}\b", re.IGNORECASE) if unit else None
    figures = []
    for match in _NUMBER.finditer(text):
        after, before = text[match.end() :], text[: match.start()]
        if _NOT_MONEY_AFTER.match(after) or (unit_word and unit_word.match(after)):
            continue
        if _NOT_MONEY_BEFORE.search(before):
            continue
        try:
            figures.append(money(match.group(1).replace(",", "") + (match.group(2) or "")))
        except (InvalidOperation, ValueError):
            continue
    return figures


def citable_competing_prices(
    competing: Iterable[Terms], quantity: int, currency: str, reference: Terms | None
) -> set[Decimal]:
    """Prices the brand may cite as competing offers: real standing offers from the quote's
    other negotiations for the full ``quantity`` in ``currency`` whose terms are at least as
    good for the brand as ``reference`` (the supplier's offer on the table, or the brand's own)
    on delivery, payment and warranty."""

    def as_good(offer: Terms) -> bool:
        return reference is None or (
            offer.lead_time_days <= reference.lead_time_days
            and offer.payment_terms_days >= reference.payment_terms_days
            and offer.warranty_months >= reference.warranty_months
        )

    return {
        o.unit_price
        for o in competing
        if o.currency == currency and o.quantity >= quantity and as_good(o)
    }


def disclosure_problems(ctx: AgentContext, move: Move, text: str) -> list[str]:
    """Why the brand's ``text`` for ``move`` may not reach the supplier (empty when it may)."""
    if ctx.side is not Side.BRAND:
        return []
    history = ctx.state.history
    # Prices either side has offered in this negotiation, this move's included, may be stated.
    offered = {
        t.move.terms.unit_price
        for t in history
        if t.move.terms is not None and t.move.action in OFFER_ACTIONS
    }
    if move.terms is not None:
        offered.add(move.terms.unit_price)
    problems = [
        f"states the confidential figure {ctx.brand.currency} {figure}"
        for figure in sorted(_confidential_figures(ctx, move) - offered)
        if figure in price_figures(text, ctx.quote.unit)
    ]
    reference = standing_offer(history, Side.SUPPLIER) or move.terms
    citable = citable_competing_prices(
        ctx.state.competing_offers, ctx.brand.quantity, ctx.brand.currency, reference
    )
    for sentence in _SENTENCE.split(text):
        if not _COMPETITION.search(sentence):
            continue
        for figure in price_figures(sentence, ctx.quote.unit):
            if figure not in offered and figure not in citable:
                problems.append(
                    f"cites a competing price of {ctx.brand.currency} {figure} that no standing "
                    "offer of another supplier with terms at least as good supports"
                )
    lowered = text.casefold()
    for name in ctx.confidential.names:
        if name.strip() and re.search(rf"(?<!\w){re.escape(name.casefold())}(?!\w)", lowered):
            problems.append(f"names another supplier of the quote ({name})")
    if any(_quotes(staff, lowered) for staff in ctx.confidential.staff_texts):
        problems.append("quotes what staff wrote")
    return list(dict.fromkeys(problems))


def _confidential_figures(ctx: AgentContext, move: Move) -> set[Decimal]:
    brand = ctx.brand
    figures = {brand.max_price, brand.target_price, *ctx.confidential.figures}
    if brand.reservation > 0 and move.terms is not None:
        scorer = brand_scorer(brand)
        terms = move.terms
        rest = scorer.rest(terms.lead_time_days, terms.payment_terms_days, terms.warranty_months)
        price = scorer.price_for(brand.reservation, rest)
        if price is not None:
            figures.add(money(price))
    return figures


def _quotes(staff_text: str, text: str) -> bool:
    """Whether ``text`` repeats ``MIN_QUOTED_WORDS`` consecutive words of ``staff_text``."""

    def runs(words: list[str]) -> set[tuple[str, ...]]:
        n = MIN_QUOTED_WORDS
        return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}

    return bool(runs(_WORDS.findall(staff_text.casefold())) & runs(_WORDS.findall(text)))
