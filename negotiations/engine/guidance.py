"""Staff guidance, read by rules (no LLM): what staff asked and how the brand applies it.

Pure Python: no Django import. :func:`parse_guidance` reads free text sentence by sentence;
every sentence it cannot turn into an instruction is kept in ``Guidance.unapplied`` so the
orchestration can tell staff. :func:`apply_guidance` changes the brand's preferences, never
beyond the quote's maximum price unless staff explicitly raised the cap.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from negotiations.engine.moves import Directive
from negotiations.engine.preferences import BrandPreferences
from negotiations.engine.terms import PAYMENT_TERMS_DAYS, money
from negotiations.engine.weights import Weights

PRIORITIES = ("price", "lead_time", "payment_terms")
PRIORITY_WEIGHT = 0.5
"""Weight given to the issue staff ask to prioritise (the others share the rest)."""


@dataclass(frozen=True)
class Guidance:
    target_price: Decimal | None = None
    max_price: Decimal | None = None
    raise_cap: bool = False
    priority: str | None = None
    payment_terms_days: int | None = None
    directive: Directive | None = None
    pause: bool = False
    understood: tuple[str, ...] = ()
    unapplied: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "target_price": str(self.target_price) if self.target_price is not None else None,
            "max_price": str(self.max_price) if self.max_price is not None else None,
            "raise_cap": self.raise_cap,
            "priority": self.priority,
            "payment_terms_days": self.payment_terms_days,
            "directive": self.directive.value if self.directive else None,
            "pause": self.pause,
            "understood": list(self.understood),
            "unapplied": list(self.unapplied),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Guidance:
        def price(key: str) -> Decimal | None:
            value = data.get(key)
            return money(value) if value is not None else None

        directive = data.get("directive")
        return cls(
            target_price=price("target_price"),
            max_price=price("max_price"),
            raise_cap=bool(data.get("raise_cap")),
            priority=data.get("priority"),
            payment_terms_days=data.get("payment_terms_days"),
            directive=Directive(directive) if directive else None,
            pause=bool(data.get("pause")),
            understood=tuple(data.get("understood", ())),
            unapplied=tuple(data.get("unapplied", ())),
        )


# --- parsing -----------------------------------------------------------------------------------

_AMOUNT = re.compile(r"(?:[$€£]|usd|eur|gbp)?\s*(\d+(?:[.,]\d{1,2})?)(?!\s*(?:%|days?|d\b|units?))")
_NEGATION = re.compile(r"\b(don'?t|do not|never|no longer|not)\b")
_CAP = re.compile(r"\b(cap|max(imum)?|ceiling|limit|budget|walk-?away price|no more than|up to)\b")
_ABOVE = re.compile(r"\b(go|pay|offer)\s+(above|over|more than|beyond)\b|\bexceed\b")
_RAISE = re.compile(r"\b(raise|increase|lift|bump|extend|stretch|go up)\b")
_TARGET = re.compile(r"\b(target|aim( for)?|goal|push for|shoot for|try for|get (it|them) to)\b")
_ACCEPT = re.compile(
    r"\b(accept|take (the|their|this|it|that)|agree to|close (the|this) deal|sign)\b"
)
_WALK = re.compile(
    r"\b(walk away|walk|end (the |this )?negotiation|stop negotiating|pull out|drop (them|this"
    r"|the supplier)|break off)\b"
)
_PAUSE = re.compile(r"\b(pause|hold on|hold off|wait|stop for now)\b")
_PRIORITISE = re.compile(
    r"\b(prioriti[sz]e|priority|focus( on)?|care (most )?about|most important|matters? most|"
    r"emphasi[sz]e|push (hard(er)? )?(on|for))\b"
)
_LEAD = re.compile(r"\b(lead[- ]?times?|delivery|deliver|faster|sooner|quick(er|ly)?|speed)\b")
_PAYMENT = re.compile(r"\b(payment( terms)?|pay later|net\s*\d+|\d+[- ]days? (payment|terms))\b")
_PRICE = re.compile(r"\b(price|cost|cheap(er)?)\b")
_NET_DAYS = re.compile(r"\bnet\s*(\d+)\b|\b(\d+)[- ]days? (?:payment|terms)\b")


def parse_guidance(text: str) -> Guidance:
    """Read staff guidance. Each sentence is matched against a few instruction patterns; a
    sentence matching none is reported in ``unapplied``."""
    fields: dict[str, Any] = {}
    understood: list[str] = []
    unapplied: list[str] = []
    for sentence in _split(text):
        found = _parse_sentence(sentence.lower(), fields)
        if found:
            understood.extend(found)
        else:
            unapplied.append(sentence)
    return Guidance(**fields, understood=tuple(understood), unapplied=tuple(unapplied))


def _split(text: str) -> list[str]:
    parts = re.split(r"(?<=[!?;\n])|(?<=\.)(?!\d)", text)
    return [p.strip(" \t\n.;!?") for p in parts if p.strip(" \t\n.;!?")]


def _amount(sentence: str) -> Decimal | None:
    # Net-days figures are payment terms, not prices.
    cleaned = _NET_DAYS.sub(" ", sentence)
    match = _AMOUNT.search(cleaned)
    if match is None:
        return None
    try:
        value = money(match.group(1).replace(",", "."))
    except InvalidOperation:
        return None
    return value if value > 0 else None


def _parse_sentence(s: str, fields: dict[str, Any]) -> list[str]:
    """Fill ``fields`` from one lower-cased sentence; return what was understood."""
    found: list[str] = []
    negated = bool(_NEGATION.search(s))
    amount = _amount(s)

    if amount is not None and (_CAP.search(s) or _ABOVE.search(s)):
        fields["max_price"] = amount
        if _RAISE.search(s) and not negated:
            fields["raise_cap"] = True
            found.append(f"raise the price cap to {amount}")
        else:
            found.append(f"cap the unit price at {amount}")
    elif amount is not None and (_TARGET.search(s) or _RAISE.search(s) or "lower" in s):
        fields["target_price"] = amount
        found.append(f"set the target unit price to {amount}")

    if _ACCEPT.search(s) and not _CAP.search(s):
        if negated:
            found.append("do not accept yet: keep negotiating")
        else:
            fields["directive"] = Directive.ACCEPT_NOW
            found.append("accept the supplier's current offer")
    elif _WALK.search(s):
        if negated:
            found.append("do not walk away: keep negotiating")
        else:
            fields["directive"] = Directive.WALK_AWAY
            found.append("walk away from this negotiation")

    if _PAUSE.search(s) and not negated:
        fields["pause"] = True
        found.append("pause the negotiation")

    net = _NET_DAYS.search(s)
    if net:
        days = int(net.group(1) or net.group(2))
        if days in PAYMENT_TERMS_DAYS:
            fields["payment_terms_days"] = days
            fields.setdefault("priority", "payment_terms")
            found.append(f"push for net {days} payment terms")
    if _PRIORITISE.search(s) and not negated:
        priority = (
            "lead_time"
            if _LEAD.search(s)
            else "payment_terms"
            if _PAYMENT.search(s)
            else "price"
            if _PRICE.search(s)
            else None
        )
        if priority is not None:
            fields["priority"] = priority
            found.append(f"prioritise {priority.replace('_', ' ')}")
    return found


# --- applying ----------------------------------------------------------------------------------


def apply_guidance(
    prefs: BrandPreferences, guidance: Guidance, *, quote_target: Decimal, quote_max: Decimal
) -> tuple[BrandPreferences, tuple[str, ...]]:
    """The brand's preferences after ``guidance`` and plain notes of what changed (or why not).

    The maximum price never goes above ``quote_max`` unless ``guidance.raise_cap``; the target
    never goes above the (effective) maximum. ``quote_target`` is the quote's own target, used
    to say how far staff moved it.
    """
    notes: list[str] = []
    target, cap = prefs.target_price, prefs.max_price
    cur = prefs.currency

    if guidance.max_price is not None:
        wanted = guidance.max_price
        if wanted > quote_max and not guidance.raise_cap:
            notes.append(
                f"Staff mentioned a cap of {cur} {wanted}, above the quote's maximum of "
                f"{cur} {quote_max} without explicitly raising it: the cap stays at "
                f"{cur} {quote_max}."
            )
            wanted = quote_max
        if wanted != cap:
            verb = "Raised" if wanted > cap else "Lowered"
            notes.append(f"{verb} the price cap from {cur} {cap} to {cur} {wanted}.")
            cap = wanted
    if guidance.target_price is not None and guidance.target_price != target:
        wanted = guidance.target_price
        if wanted > cap:
            notes.append(
                f"Staff asked for a target of {cur} {wanted}, above the cap of {cur} {cap}: "
                f"the target is set to the cap."
            )
            wanted = cap
        if wanted != target:
            relation = (
                "above" if wanted > quote_target else "below" if wanted < quote_target else "at"
            )
            notes.append(
                f"Set the target price to {cur} {wanted} ({relation} the quote's "
                f"{cur} {quote_target})."
            )
            target = wanted
    if target > cap:
        notes.append(f"Lowered the target to the new cap of {cur} {cap}.")
        target = cap

    weights = prefs.weights
    if guidance.priority in PRIORITIES:
        weights = _prioritise(weights, guidance.priority)
        notes.append(f"Prioritising {guidance.priority.replace('_', ' ')}.")
    if guidance.payment_terms_days is not None:
        # The engine has no payment-terms target: say what the weights do, nothing more.
        notes.append(
            f"Pushing on payment terms (staff named net {guidance.payment_terms_days}); "
            "we keep asking for the longest terms we can get."
        )
    if guidance.directive is Directive.ACCEPT_NOW:
        notes.append("Staff asked to accept the current offer.")
    elif guidance.directive is Directive.WALK_AWAY:
        notes.append("Staff asked to walk away.")

    new = dataclasses.replace(prefs, target_price=target, max_price=cap, weights=weights)
    return new, tuple(notes)


def _prioritise(weights: Weights, priority: str) -> Weights:
    """Give ``priority`` at least :data:`PRIORITY_WEIGHT`, scaling the other issues down."""
    w = weights.normalised()
    values = {
        "price": w.price,
        "lead_time": w.lead_time,
        "payment_terms": w.payment_terms,
        "warranty": w.warranty,
    }
    chosen = max(values[priority], PRIORITY_WEIGHT)
    rest = sum(v for k, v in values.items() if k != priority)
    scale = (1 - chosen) / rest if rest > 0 else 0.0
    scaled = {k: (chosen if k == priority else v * scale) for k, v in values.items()}
    return Weights(**scaled)


# --- answers ------------------------------------------------------------------------------------

SUPPLIER_ASKS = "The supplier asks: "
"""How the brand's question to staff starts when it passes on a question the supplier asked."""
_PARTIAL = re.compile(r"\bpartial\b|\bsplit\b|\bstagger", re.IGNORECASE)
_YES = re.compile(
    r"\b(yes|yeah|yep|sure|fine|ok(ay)?|acceptable|allowed|agreed?|accept(ed)?|go ahead|no "
    r"problem|that works|split it)\b",
    re.IGNORECASE,
)
_NO = re.compile(r"\b(no|not|don'?t|never|cannot|can'?t|won'?t|refuse|reject)\b", re.IGNORECASE)
_MINIMUM = re.compile(
    r"\b(?:at least|minimum(?: of)?|min\.?|no fewer than|no less than|as long as)\s*"
    r"(\d{1,3}(?:,\d{3})+|\d+)\s*(%|per\s*cent|percent)?",
    re.IGNORECASE,
)


def partial_minimum(question: str, answer: str, quantity: int) -> int | None:
    """The fewest of ``quantity`` units staff accept, when ``answer`` allows the partial
    shipments or partial order ``question`` asks about (1 when they state no minimum); None
    when the question is about something else or the answer does not clearly say yes."""
    if not _PARTIAL.search(question):
        return None
    if _NO.search(_MINIMUM.sub(" ", answer.lower().replace("no problem", ""))):
        return None
    if not _YES.search(answer):
        return None
    match = _MINIMUM.search(answer)
    if match is None:
        return 1
    figure = int(match.group(1).replace(",", ""))
    least = quantity * figure // 100 if match.group(2) else figure
    return min(max(least, 1), quantity)
