"""The scripted voice: natural, varied messages written from the engine's move, offline.

Deterministic for a seed: the phrasing is drawn from a ``random.Random`` seeded with the
negotiation's seed, the turn and the side. Each supplier temperament has its own manner
(hardball is curt and firm, flexible eager, relationship warm and long-term, balanced
business-like); the brand writes as a courteous, precise buyer.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from negotiations.agents.context import AgentContext
from negotiations.agents.disclosure import citable_competing_prices
from negotiations.engine import Action, Move, Side, Terms, standing_offer

Phrases = dict[str, Sequence[str]]

# Per temperament: openers, offer lead-ins, accept, reject, walk-away and sign-offs.
SUPPLIER_MANNER: dict[str, Phrases] = {
    "hardball": {
        "open": ("Let's be direct.", "Straight to it.", "Noted.", "Understood."),
        "propose": (
            "Our price is {terms}.",
            "We can do {terms}. That is a firm number.",
            "Here is where we stand: {terms}.",
        ),
        "counter": (
            "That doesn't work for us. We can do {terms}.",
            "Too low. Our counter: {terms}.",
            "We won't go there. {terms} is what we can offer.",
            "No. {terms}, and that already stretches us.",
        ),
        "accept": ("Fine. We accept {terms}.", "Agreed: {terms}. We'll send the paperwork."),
        "reject": ("That offer is not workable.", "We can't accept that."),
        "walk_away": (
            "We're too far apart. We'll leave it here.",
            "This isn't going anywhere. We're withdrawing.",
        ),
        "close": ("Take it or leave it.", "Let us know.", "That's our position.", ""),
    },
    "balanced": {
        "open": ("Thanks for your message.", "Thank you for the offer.", "Appreciate the reply."),
        "propose": (
            "We'd like to propose {terms}.",
            "Our offer is {terms}.",
            "We can quote {terms}.",
        ),
        "counter": (
            "We've looked at your numbers and can offer {terms}.",
            "We can't quite meet that, but we can do {terms}.",
            "Our counter-proposal is {terms}.",
            "Having reviewed it with our team, we propose {terms}.",
        ),
        "accept": (
            "That works for us. We accept {terms}.",
            "We're happy to confirm: {terms}.",
        ),
        "reject": ("Unfortunately we can't work with that offer.", "That doesn't work for us."),
        "walk_away": (
            "We don't see a way to a deal on these terms, so we'll step back.",
            "We'll have to decline this order.",
        ),
        "close": ("Let us know your thoughts.", "Looking forward to your reply.", ""),
    },
    "flexible": {
        "open": (
            "Great to hear from you!",
            "Thanks so much for coming back to us!",
            "Happy to keep this moving!",
        ),
        "propose": (
            "We'd love to help: we can offer {terms}.",
            "Happy to start at {terms}.",
            "Good news: we can do {terms}.",
        ),
        "counter": (
            "We really want to make this work, so how about {terms}?",
            "We've sharpened our pencil: {terms}.",
            "We can meet you part of the way: {terms}.",
            "Let's get this done: we can do {terms}.",
        ),
        "accept": (
            "Wonderful, we accept {terms}!",
            "Deal! {terms}. Thanks for working with us.",
        ),
        "reject": (
            "We'd love to, but we just can't go that low.",
            "Sadly that one doesn't work for us.",
        ),
        "walk_away": (
            "We're sorry, we can't make this one work. Hope we can help another time!",
            "We'll have to pass this time, sorry!",
        ),
        "close": ("Just say the word!", "We can move quickly.", "Hope that helps!", ""),
    },
    "relationship": {
        "open": (
            "Thank you, we value working with you.",
            "Good to continue the conversation.",
            "We appreciate your openness.",
        ),
        "propose": (
            "With a long-term partnership in mind, we propose {terms}.",
            "We'd like to build this account with you: {terms}.",
            "For a partner like you, we can offer {terms}.",
        ),
        "counter": (
            "In the spirit of a lasting relationship, we can offer {terms}.",
            "We've moved to meet you: {terms}.",
            "We'd like this to be the first of many orders, so we propose {terms}.",
            "Thinking of the longer term, {terms} is what we can do.",
        ),
        "accept": (
            "We're glad to accept {terms}, and look forward to a long partnership.",
            "Agreed: {terms}. Thank you for your trust.",
        ),
        "reject": (
            "We'd like to find a fair middle, but that offer doesn't get us there.",
            "That one doesn't work for us, though we're keen to keep talking.",
        ),
        "walk_away": (
            "We're sorry we couldn't find common ground this time. Our door stays open.",
            "We'll step back from this order, but we'd welcome the next one.",
        ),
        "close": (
            "We value reliable payment as much as price.",
            "We look forward to working together.",
            "",
        ),
    },
}

BRAND_MANNER: Phrases = {
    "open": (
        "Thank you for your reply.",
        "Thanks for the update.",
        "Thanks for coming back to us.",
    ),
    "propose": (
        "We'd like to open at {terms}.",
        "For this order we're looking at {terms}.",
        "Our proposal is {terms}.",
    ),
    "counter": (
        "We've reviewed your offer and can propose {terms}.",
        "We're not there yet, but we can move to {terms}.",
        "Our counter-offer is {terms}.",
        "To keep this moving, we propose {terms}.",
    ),
    "accept": (
        "We accept your offer of {terms}. We'll issue the purchase order.",
        "Agreed: {terms}. Thank you, we'll confirm in writing.",
    ),
    "reject": ("We can't accept that offer.", "Those terms don't work for us."),
    "walk_away": (
        "We've decided not to proceed with this order. Thank you for your time.",
        "We'll step away from this negotiation. Thank you for your offers.",
    ),
    "close": ("We look forward to your reply.", "Let us know.", ""),
}

SUPPLIER_TACTICS: Phrases = {
    "volume_trade": ("At this volume we've included a volume discount.",),
    "term_trading": (
        "We've balanced delivery and payment terms against the price.",
        "We've adjusted the terms so the price can work.",
    ),
    "deadline_pressure": ("We'd like to settle this soon to hold production capacity.",),
    "split_difference": ("That's meeting you halfway.",),
}

BRAND_TACTICS: Phrases = {
    "volume_trade": (
        "At {quantity} units this is a significant order, so we expect volume pricing.",
    ),
    "term_trading": (
        "We've adjusted delivery and payment terms to give you room on price.",
        "We've traded some flexibility on terms for a better price.",
    ),
    "competitor_leverage": (
        "To be transparent, we have a competing offer{competing}.",
        "We're weighing other offers{competing}.",
    ),
    "deadline_pressure": ("We need to close this in the next round or two.",),
    "split_difference": ("This meets you halfway between our positions.",),
}


def describe_terms(terms: Terms, unit: str = "units") -> str:
    """``"USD 2.10 per unit for 5,000 units, delivery in 30 days, net 45, 12-month warranty"``."""
    payment = (
        "payment on order" if terms.payment_terms_days == 0 else (f"net {terms.payment_terms_days}")
    )
    return (
        f"{terms.currency} {terms.unit_price} per unit for {terms.quantity:,} {unit}, "
        f"delivery in {terms.lead_time_days} days, {payment}, "
        f"{terms.warranty_months}-month warranty"
    )


def scripted_text(ctx: AgentContext, move: Move, *, remarks: bool = True) -> str:
    """The message for ``move`` in the voice of ``ctx.side``, deterministic in (seed, turn);
    without ``remarks``, no tactic remarks (volume, competing offers, deadline…)."""
    rng = random.Random(f"{ctx.seed}:{ctx.turn}:{ctx.side.value}")
    if ctx.side is Side.BRAND:
        manner, tactics = BRAND_MANNER, BRAND_TACTICS
    else:
        manner, tactics = SUPPLIER_MANNER[ctx.supplier.temperament], SUPPLIER_TACTICS
    return "\n\n".join(_body(ctx, move, manner, tactics if remarks else {}, rng))


def _body(
    ctx: AgentContext, move: Move, manner: Phrases, tactics: Phrases, rng: random.Random
) -> list[str]:
    unit = ctx.quote.unit
    if move.action is Action.ASK_INFO:
        return [f"Question for our team: {move.question or 'please advise how to proceed.'}"]
    if move.action is Action.MESSAGE:
        if move.question:
            reason = " ".join(move.rationale)
            return [rng.choice(manner["open"]), f"{reason} {move.question}".strip()]
        return ["Noted, thank you."]
    key = move.action.value if move.action.value in manner else "counter"
    sentence = rng.choice(manner[key])
    if move.terms is not None:
        sentence = sentence.format(terms=describe_terms(move.terms, unit))
    lines = [rng.choice(manner["open"]) if ctx.state.history else "", sentence]
    if move.terms is not None and move.action in (Action.PROPOSE, Action.COUNTER):
        lines.append(_movement(ctx, move.terms))
        lines.extend(_tactics(ctx, move, tactics, rng))
    if move.action not in (Action.ACCEPT, Action.WALK_AWAY):
        lines.append(rng.choice(manner["close"]))
    return [" ".join(line for line in lines if line)]


def _movement(ctx: AgentContext, terms: Terms) -> str:
    """What changed since our previous offer, in a short clause."""
    previous = standing_offer(ctx.state.history, ctx.side)
    if previous is None:
        return ""
    changes = []
    if terms.unit_price != previous.unit_price:
        changes.append(f"price from {previous.unit_price} to {terms.unit_price}")
    if terms.lead_time_days != previous.lead_time_days:
        changes.append(f"delivery from {previous.lead_time_days} to {terms.lead_time_days} days")
    if terms.payment_terms_days != previous.payment_terms_days:
        changes.append(
            f"payment from net {previous.payment_terms_days} to net {terms.payment_terms_days}"
        )
    if terms.warranty_months != previous.warranty_months:
        changes.append(
            f"warranty from {previous.warranty_months} to {terms.warranty_months} months"
        )
    if not changes:
        return "Our terms are unchanged."
    return "We've moved " + ", ".join(changes) + "."


def _tactics(ctx: AgentContext, move: Move, tactics: Phrases, rng: random.Random) -> list[str]:
    competing = ""
    if ctx.side is Side.BRAND:
        # Only an honest comparison is cited: a real competing offer at least as good on terms.
        citable = citable_competing_prices(
            ctx.state.competing_offers,
            ctx.brand.quantity,
            ctx.brand.currency,
            standing_offer(ctx.state.history, Side.SUPPLIER) or move.terms,
        )
        if citable:
            competing = f" at {ctx.brand.currency} {min(citable)} per unit"
    used = [s for s in move.strategies if s in tactics]
    # Two tactic remarks at most, so messages stay short and vary from turn to turn.
    chosen = sorted(rng.sample(range(len(used)), min(2, len(used))))
    return [
        rng.choice(tactics[used[i]]).format(quantity=f"{ctx.quote.quantity:,}", competing=competing)
        for i in chosen
    ]
