"""The strategy registry.

A strategy is a small unit: an ``id``, a ``description``, an ``applies`` test on the round's
:class:`Context` and a ``next_move`` function that refines the :class:`Plan` for the next offer.
Each negotiator runs its profile's base *concession* strategy first, then every *tactic* of its
profile that applies this round; the ids and notes of those that ran become the move's
``strategies`` and ``rationale``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from negotiations.engine.moves import Side
from negotiations.engine.reciprocity import RECIPROCAL, RECIPROCAL_EXPONENT, TEST, TEST_STEP

BOULWARE_EXPONENT = 0.3
CONCEDER_EXPONENT = 2.0
ANCHOR = 0.08
VOLUME_PREMIUM = 0.03
LARGE_ORDER_UNITS = 1000
DEADLINE_MARGIN = 0.08
SPLIT_FROM = 0.6
SPLIT_GAP = 0.15
ADAPTIVE_EXPONENT = 0.15
"""The adaptive profile's pace: firmer than Boulware (0.3). Time-dependent and hybrid suppliers
concede by the deadline whatever we do; reciprocating ones are met by its steps and closing
offer."""
ENDGAME_OFFERS = 3
"""The adaptive profile's end game against an opponent that holds one offer: with ``k`` of our
offers it can answer still to come after this one (``k < ENDGAME_OFFERS``), we keep only
``k / ENDGAME_OFFERS`` of what we still hold above the reservation, so a reciprocating opponent
sees concessions it can answer while there is time to."""
MIN_STEP = 0.002
"""The least utility ``keep_moving`` concedes a round: every offer is new, which is what MiCRO
and tit-for-tat suppliers answer with concessions of their own."""


class Context(NamedTuple):
    """The round as one negotiator sees it; utilities are its own.

    ``t`` runs from 0 (its first move) to 1 (its last move). ``opponent_gain`` is what moving
    our price by the fraction the opponent last moved its own is worth to us.
    ``opponent_utility`` is what its standing offer is worth (None if none or outside the hard
    limits); ``floor`` what the nearest version of that offer inside our limits is worth (never
    concede below it: we could propose it instead), or the reservation if higher (the brand's
    closing offer excepted when that version is its own previous offer, turned down).
    ``projected_utility`` is what its projected deadline offer would be worth;
    ``competing_utility`` the best competing offer (brand only).
    """

    side: Side
    t: float
    round: int
    max_rounds: int
    reservation: float
    base: str
    last_own: float | None
    opponent_gain: float
    opponent_utility: float | None
    floor: float
    projected_utility: float | None
    competing_utility: float | None
    large_order: bool
    quantity: int
    closing: bool = False
    """This is our last offer the opponent can still answer, and nothing acceptable to us is on
    the table."""
    waiting_left: int | None = None
    """When the opponent holds one offer (it waits for concessions it can see) and nothing
    acceptable is on the table: how many more of our offers it can answer after this one."""
    reciprocity_test: bool = False
    """This offer tests whether the opponent reciprocates (``reciprocity.py``)."""
    reciprocates: bool = False
    """The opponent answered our test concession and then held: it mirrors concessions."""


class Plan(NamedTuple):
    """What the next offer should be: worth ``target`` to us, priced ``anchor`` (a fraction of
    the best price) beyond our best, with non-price terms traded for the opponent's benefit
    (``trade_terms``) or the midpoint of both standing offers (``split``)."""

    target: float = 1.0
    anchor: float = 0.0
    trade_terms: bool = False
    split: bool = False
    used: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def then(
        self,
        note: str | None = None,
        *,
        target: float | None = None,
        anchor: float | None = None,
        trade_terms: bool | None = None,
        split: bool | None = None,
        used: tuple[str, ...] | None = None,
    ) -> Plan:
        """This plan with the fields given (not None) and ``note`` added to its notes.

        Keywords rather than ``**changes`` and the tuple built directly rather than through
        ``_replace`` or the generated ``__new__``: this runs several times on every move."""
        return _new_plan(
            Plan,
            (
                self.target if target is None else target,
                self.anchor if anchor is None else anchor,
                self.trade_terms if trade_terms is None else trade_terms,
                self.split if split is None else split,
                self.used if used is None else used,
                self.notes if note is None else (*self.notes, note),
            ),
        )


_new_plan = tuple.__new__


NextMove = Callable[[Context, Plan], Plan]


@dataclass(frozen=True, slots=True)
class Strategy:
    id: str
    description: str
    applies: Callable[[Context], bool]
    next_move: NextMove

    def run(self, ctx: Context, plan: Plan) -> Plan:
        """Apply ``next_move`` and record this strategy's id on the plan."""
        target, anchor, trade_terms, split, used, notes = self.next_move(ctx, plan)
        return _new_plan(Plan, (target, anchor, trade_terms, split, (*used, self.id), notes))


def _always(ctx: Context) -> bool:
    return True


def _aspiration(ctx: Context, exponent: float) -> float:
    """Faratin-style time-dependent aspiration: exponent < 1 Boulware, > 1 conceder."""
    return ctx.reservation + (1.0 - ctx.reservation) * (1.0 - ctx.t ** (1.0 / exponent))


def _time_based(exponent: float, label: str) -> NextMove:
    def next_move(ctx: Context, plan: Plan) -> Plan:
        target = _aspiration(ctx, exponent)
        return plan.then(f"{label} aim {target:.2f}.", target=target)

    return next_move


def _tit_for_tat(ctx: Context, plan: Plan) -> Plan:
    """Mirror the opponent's last (relative) concession, but never slower than a Boulware
    schedule so two reciprocators still meet before the deadline."""
    if ctx.last_own is None:
        return plan.then("Opening; will mirror concessions.", target=1.0)
    mirrored = ctx.last_own - max(0.0, ctx.opponent_gain)
    target = max(ctx.reservation, min(mirrored, _aspiration(ctx, BOULWARE_EXPONENT)))
    note = f"They conceded {ctx.opponent_gain:+.2f}; we move to {target:.2f}."
    return plan.then(note, target=target)


def _adaptive(ctx: Context, plan: Plan) -> Plan:
    """Time-based at ``ADAPTIVE_EXPONENT``, or at ``RECIPROCAL_EXPONENT`` if that concedes more
    and the opponent reciprocates, with one test step to find out (``reciprocity.py``); on the
    last offer the opponent can answer, with nothing acceptable on the table, as far as the
    reservation (the floors still apply: a better deal elsewhere, their own offer brought
    inside our limits unless that is our own previous offer)."""
    if ctx.closing:
        note = "Our last offer they can answer: as far as we can go, to close."
        return plan.then(note, target=ctx.reservation)
    target = max(ctx.reservation, _aspiration(ctx, ADAPTIVE_EXPONENT))
    if ctx.reciprocity_test and ctx.last_own is not None and ctx.last_own - TEST_STEP < target:
        target = max(ctx.reservation, ctx.last_own - TEST_STEP)
        note = "They repeat their offer: a step they can see, to learn if they answer it."
        plan = plan.then(note, used=(*plan.used, TEST))
    if ctx.reciprocates:
        steady = max(ctx.reservation, _aspiration(ctx, RECIPROCAL_EXPONENT))
        if steady < target:
            target = steady
            note = "They answered our step and only that: we keep moving, for them to mirror."
            plan = plan.then(note, used=(*plan.used, RECIPROCAL))
    left = ctx.waiting_left
    if left is not None and 0 < left < ENDGAME_OFFERS:
        start = target if ctx.last_own is None else min(target, ctx.last_own)
        target = ctx.reservation + (start - ctx.reservation) * left / ENDGAME_OFFERS
        note = f"They wait for us to move, {left} offers before our last: we move, to {target:.2f}."
        return plan.then(note, target=target)
    return plan.then(f"Aim {target:.2f}.", target=target)


def _keep_moving(ctx: Context, plan: Plan) -> Plan:
    assert ctx.last_own is not None
    target = min(plan.target, ctx.last_own - MIN_STEP)
    if target >= plan.target:
        return plan
    return plan.then("A small step every round, so they see us move.", target=target)


def _anchoring(ctx: Context, plan: Plan) -> Plan:
    anchor = ANCHOR if ctx.round == 1 else ANCHOR / 2
    note = f"Anchor {anchor:.0%} beyond our ideal price to frame the range."
    return plan.then(note, anchor=anchor)


def _term_trading(ctx: Context, plan: Plan) -> Plan:
    note = "Trade lead time/payment terms against price where they matter more to them."
    return plan.then(note, trade_terms=True)


def _volume_trade(ctx: Context, plan: Plan) -> Plan:
    if ctx.side is Side.BRAND:
        target = min(1.0, plan.target + VOLUME_PREMIUM * (1.0 - ctx.t))
        note = f"{ctx.quantity} units is a large order: ask for a volume price."
    else:
        target = max(ctx.reservation, plan.target - VOLUME_PREMIUM)
        note = f"{ctx.quantity} units fills our line: offer a volume discount."
    return plan.then(note, target=target)


def _competitor_leverage(ctx: Context, plan: Plan) -> Plan:
    assert ctx.competing_utility is not None
    floor = min(1.0, ctx.competing_utility + 0.01)
    note = f"A competing offer is worth {ctx.competing_utility:.2f} to us: we need better."
    return plan.then(note, target=max(plan.target, floor))


def _deadline_pressure(ctx: Context, plan: Plan) -> Plan:
    """Hold at what the opponent is projected to concede by the deadline anyway, less a margin.
    One round before the deadline (``deadline_pressure``) this is safe: on the last move the
    floor (their offer inside our limits) still applies, so a ZOPA deal is never lost to the
    bluff. Before that (``hold_projection``, the brand only) it keeps ground we could not take
    back: the brand never takes a concession back, so a hold that starts only one round before
    the deadline comes after the concessions it was meant to save. No projection is given for
    an opponent that waits for us (see ``Negotiator._context``), so it gets our closing offer
    instead."""
    assert ctx.projected_utility is not None
    last = ctx.round == ctx.max_rounds - 1
    hold = ctx.projected_utility - DEADLINE_MARGIN
    if hold <= plan.target:
        return plan.then("Deadline near: closing offer." if last else None)
    heading = f"they are heading to {ctx.projected_utility:.2f}: hold at {hold:.2f}."
    note = f"Deadline near and {heading}" if last else f"By the deadline {heading}"
    return plan.then(note, target=hold)


def _hold_projection_applies(ctx: Context) -> bool:
    """Before the round ``deadline_pressure`` plays, for the brand, while the opponent's
    deadline offer can be projected and nothing acceptable to us is on the table (a hold
    must not risk a deal we could take)."""
    return (
        ctx.side is Side.BRAND
        and ctx.round < ctx.max_rounds - 1
        and ctx.projected_utility is not None
        and ctx.opponent_utility is None
    )


def _split_applies(ctx: Context) -> bool:
    if ctx.opponent_utility is None or ctx.last_own is None:
        return False
    if ctx.base == "split_difference":
        return True
    return ctx.t >= SPLIT_FROM and ctx.last_own - ctx.opponent_utility <= SPLIT_GAP


def _split_difference(ctx: Context, plan: Plan) -> Plan:
    """Offer the midpoint of the standing offers. As a tactic the midpoint is only used when
    it is worth at least the planned target; as the base strategy it is used unconditionally."""
    target = ctx.reservation if ctx.base == "split_difference" else plan.target
    note = "Close: meet them halfway between the two standing offers."
    return plan.then(note, target=target, split=True)


STRATEGIES: dict[str, Strategy] = {
    s.id: s
    for s in (
        Strategy(
            "boulware",
            "Time-based; holds near the ideal until late.",
            _always,
            _time_based(BOULWARE_EXPONENT, "Boulware:"),
        ),
        Strategy("linear", "Time-based; concedes evenly.", _always, _time_based(1.0, "Linear:")),
        Strategy(
            "conceder",
            "Time-based; concedes early.",
            _always,
            _time_based(CONCEDER_EXPONENT, "Conceder:"),
        ),
        Strategy(
            "adaptive",
            "Boulware-paced with a small new concession every round.",
            _always,
            _adaptive,
        ),
        Strategy("tit_for_tat", "Reciprocates the opponent's concessions.", _always, _tit_for_tat),
        Strategy(
            "keep_moving",
            "Never repeats an offer: at least a small step towards them every round.",
            lambda ctx: ctx.last_own is not None,
            _keep_moving,
        ),
        Strategy(
            "anchoring",
            "Opens beyond the ideal price to anchor the range.",
            lambda ctx: ctx.round <= 2,
            _anchoring,
        ),
        Strategy(
            "term_trading",
            "Gives lead time/payment terms that are cheap for us against price.",
            lambda ctx: ctx.round >= 2,
            _term_trading,
        ),
        Strategy(
            "volume_trade",
            "Ties price to the order's volume.",
            lambda ctx: ctx.large_order and (ctx.side is Side.SUPPLIER or ctx.t < 0.5),
            _volume_trade,
        ),
        Strategy(
            "competitor_leverage",
            "Never settles below the best standing offer of the quote's other negotiations.",
            lambda ctx: ctx.side is Side.BRAND and ctx.competing_utility is not None,
            _competitor_leverage,
        ),
        Strategy(
            "deadline_pressure",
            "In the last rounds, holds at the opponent's projected concession.",
            lambda ctx: ctx.round == ctx.max_rounds - 1 and ctx.projected_utility is not None,
            _deadline_pressure,
        ),
        Strategy(
            "hold_projection",
            "Concedes no further than the opponent is projected to concede by the deadline "
            "(a concession is never taken back, so it would be given for nothing).",
            _hold_projection_applies,
            _deadline_pressure,
        ),
        Strategy(
            "split_difference",
            "Near the end, offers the midpoint of the standing offers.",
            _split_applies,
            _split_difference,
        ),
    )
}
