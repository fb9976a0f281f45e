"""What both negotiators share: the history digested into a view, the ZOPA estimate, the plan
from the profile's strategies, the offer built from the plan and the acceptance rule.

``respond(state)`` depends only on the preferences, the seed and the state, so replaying a
negotiation from its stored history reproduces every move. Each move is built as:

1. side-specific checks (staff directive, questions, walk-away when no deal is possible);
2. the profile's strategies refine a :class:`~negotiations.engine.strategies.Plan`;
3. the plan becomes concrete terms; the opponent's standing offer is accepted instead if it is
   inside our hard limits, at or above our reservation and worth at least our planned offer
   (or it is our last move);
4. the guardrails check the outgoing move.
"""

from __future__ import annotations

import random
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from typing import NamedTuple, TypeVar

from negotiations.engine.guardrails import GuardrailResult
from negotiations.engine.moves import (
    CLOSING_ACTIONS,
    OFFER_ACTIONS,
    Action,
    Move,
    NegotiationState,
    Side,
    Turn,
    round_time,
)
from negotiations.engine.opponent import OpponentModel, OpponentTracker
from negotiations.engine.profiles import Profile
from negotiations.engine.reciprocity import NO_TEST, read_reciprocity
from negotiations.engine.strategies import MIN_STEP, STRATEGIES, Context, Plan
from negotiations.engine.terms import CENT, PAYMENT_TERMS_DAYS, Terms
from negotiations.engine.utility import Scorer

HOPELESS_MARGIN = 0.25
"""How far (as a fraction of our price limit) even the most hopeful plausible projection of the
opponent's deadline price must be beyond our limit before we call the negotiation hopeless."""
HOPELESS_FROM = 0.75
"""Share of the rounds played before a walk-away on the projection is considered."""
STALL_FROM = 0.6
"""Share of the rounds played before an opponent holding its price counts as at its limit."""
LUMP_TOLERANCE = 0.02
"""How far past its target a single step on an issue that moves in steps (payment terms) may
take a concession, when that step is worth more to the opponent than price is."""
WAIT_FOR_STEP = 2.0
"""How much more a step on another issue must be worth to the opponent than price, per unit
of our utility, for price to wait for it (move by the least step) while that step costs more
than the concession asks for: twice as much."""
WAIT_OFFERS = 2
"""Price waits only while at least this many of our offers the opponent can answer follow."""
PROBE = "pareto_probe"
PROBE_GAIN = 0.01
"""Least gain in our utility for which we propose their offer with our payment terms and
warranty once before accepting it."""
OFFER_BACK = "offer_back"
NOTHING_BETTER_COMING = "nothing_better_coming"
"""The tag of an end-game acceptance (:meth:`Negotiator._nothing_better_coming`)."""
CLAMP_CACHE = 8
"""How many clamped offers a negotiator remembers."""
T = TypeVar("T", int, Decimal)
NON_PRICE_FIELDS = (
    "quantity",
    "lead_time_days",
    "payment_terms_days",
    "warranty_months",
    "currency",
)
Package = tuple[int, int, int]
"""(lead_time_days, payment_terms_days, warranty_months)"""


class View(NamedTuple):
    """The history digested from one side's point of view."""

    own_offers: tuple[Terms, ...]
    opponent: OpponentModel
    opponent_standing: Terms | None
    opponent_last: Move | None
    closed: bool
    opponent_best: float = 0.0
    """The most any of their offers is worth to us, inside our limits or not."""
    answerable_after: int | None = None
    """How many more of our offers the opponent can answer after this one (None before any
    move)."""


@lru_cache(maxsize=4096)
def _draws(seed: int) -> tuple[float, float]:
    """The seed's jitter of our pace and its draw for asking a question. Cached: seeding a
    generator costs more than a move, and a negotiation's negotiator is made for every move."""
    rng = random.Random(seed)
    return 0.9 + 0.2 * rng.random(), rng.random()


class Negotiator:
    side: Side
    scorer: Scorer
    profile: Profile
    price_limit: float
    """Our hard price limit (brand maximum, supplier cost floor)."""
    price_direction: int
    """+1 if higher prices are better for us, -1 if lower ones are."""
    monotone = False
    """Whether each issue of our offers only ever moves towards the opponent."""
    towards_them: tuple[int, int, int]
    """The direction (+1 up, -1 down) in which lead time, payment terms and warranty move
    towards the opponent."""

    def __init__(self, seed: int) -> None:
        self._jitter, self._ask_draw = _draws(seed)
        # The history digested so far (see _view); max_rounds 0 matches no state.
        self._seen: tuple[Turn, ...] = ()
        self._seen_rounds = 0
        self._own: list[Terms] = []
        self._last: Move | None = None
        self._opponent_best = 0.0
        self._tracker: OpponentTracker | None = None
        self._clamps: dict[int, tuple[Terms, int, tuple[Terms | None, list[str]]]] = {}

    # -- side-specific hooks ----------------------------------------------------------
    def _clamp(self, terms: Terms, quantity: int) -> tuple[Terms | None, list[str]]:
        """The nearest terms inside our hard limits, and why ``terms`` were outside them."""
        raise NotImplementedError

    def _guard(self, move: Move, view: View, quantity: int) -> GuardrailResult:
        raise NotImplementedError

    def _special_move(self, state: NegotiationState, view: View) -> Move | None:
        """Side-specific move that pre-empts bargaining (questions, directives, walk-aways)."""
        raise NotImplementedError

    def _quantity(self, view: View) -> int:
        raise NotImplementedError

    def _round_price(self, price: float) -> Decimal:
        raise NotImplementedError

    def _estimate_opponent(self, model: OpponentModel) -> Scorer:
        raise NotImplementedError

    def _competing_utility(self, state: NegotiationState) -> float | None:
        """What the best offer of another negotiation is worth to us (a cap on concessions)."""
        return None

    def _agreed_utility(self, state: NegotiationState) -> float | None:
        """What the best deal another negotiation agreed is worth to us."""
        return None

    def _large_order(self, quantity: int) -> bool:
        raise NotImplementedError

    @property
    def currency(self) -> str:
        raise NotImplementedError

    def _violations(self, terms: Terms, quantity: int) -> list[str]:
        return self._clamped(terms, quantity)[1]

    def _clamped(self, terms: Terms, quantity: int) -> tuple[Terms | None, list[str]]:
        """:meth:`_clamp`, remembered for the few offers a move looks at several times (their
        standing offer, our previous one). Keyed by identity; the entry keeps the terms alive,
        so their id cannot be reused while it is remembered."""
        entry = self._clamps.get(id(terms))
        if entry is not None and entry[0] is terms and entry[1] == quantity:
            return entry[2]
        if len(self._clamps) >= CLAMP_CACHE:
            self._clamps.clear()
        result = self._clamp(terms, quantity)
        self._clamps[id(terms)] = (terms, quantity, result)
        return result

    # -- the move ---------------------------------------------------------------------
    def respond(self, state: NegotiationState) -> Move:
        """The next move for ``state``; deterministic in (preferences, seed, state)."""
        view = self._view(state)
        quantity = self._quantity(view)
        if view.closed:
            return Move(Action.MESSAGE, rationale=("The negotiation is already closed.",))
        move = self._special_move(state, view) or self._bargain(state, view, quantity)
        return self._guard(move, view, quantity).move

    def _view(self, state: NegotiationState) -> View:
        """The history digested. A negotiator asked move after move of one negotiation (the
        tournament, the simulator) digests only the turns it has not seen yet; any other
        history is digested from the start, with the same result."""
        history, seen = state.history, self._seen
        if state.max_rounds != self._seen_rounds or history[: len(seen)] != seen:
            self._seen, self._seen_rounds = (), state.max_rounds
            self._own, self._last, self._opponent_best = [], None, 0.0
            self._tracker = OpponentTracker(self.scorer.price_value, self.scorer.price_shift)
        tracker = self._tracker
        assert tracker is not None
        for turn in history[len(self._seen) :]:
            move = turn.move
            if turn.side is self.side:
                if move.action in OFFER_ACTIONS and move.terms is not None:
                    self._own.append(move.terms)
            else:
                self._last = move
                if move.action in OFFER_ACTIONS and move.terms is not None:
                    tracker.add(round_time(turn.round, state.max_rounds), move.terms)
                    worth = self.scorer.score_terms(move.terms)
                    if worth > self._opponent_best:
                        self._opponent_best = worth
        self._seen = history
        model = tracker.model()
        return View(
            own_offers=tuple(self._own),
            opponent=model,
            opponent_standing=model.last,
            opponent_last=self._last,
            closed=bool(history) and history[-1].move.action in CLOSING_ACTIONS,
            opponent_best=self._opponent_best,
            answerable_after=self._answerable_after(state),
        )

    def _acceptable(self, terms: Terms | None, quantity: int) -> float | None:
        """Our utility of ``terms`` if they are inside our limits and reservation, else None."""
        if terms is None or self._violations(terms, quantity):
            return None
        utility = self.scorer.score_terms(terms)
        return utility if utility >= self.scorer.reservation else None

    def _no_deal(self, view: View, t: float) -> str | None:
        """The ZOPA estimate: why no deal is possible, or None while one may be.

        Past mid-game, an opponent that has held one offer at a price beyond our limit for
        three offers while our own offer is at our limit is at its own limit. From
        ``HOPELESS_FROM`` on, a conceding opponent whose every plausible projected deadline
        price is beyond our limit by ``HOPELESS_MARGIN`` will not get there. (An opponent that
        has stopped moving tells us nothing: a reciprocating one waits for us, so we stay.)
        """
        model = view.opponent
        beyond = self._beyond_limit
        # Only a hold or a projection against our own limit shows theirs: agents that concede
        # when we do (tit-for-tat, MiCRO) repeat themselves while we have room to move.
        ours = view.own_offers[-1] if view.own_offers else None
        at_limit = ours is not None and beyond(ours.price) >= -0.005
        if self.monotone and not at_limit:
            return None
        if t >= STALL_FROM and len(model.offers) >= 4:
            last = model.offers[-1].unit_price
            if model.holding and at_limit and beyond(float(last)) > 0:
                return (
                    f"They have held at {last} for three offers, beyond our limit of "
                    f"{self.price_limit:.2f}: no deal is possible."
                )
        if t < HOPELESS_FROM or model.projected_range is None or model.holding:
            return None
        hopeful = model.projected_range[0 if self.price_direction < 0 else 1]
        if beyond(hopeful) > HOPELESS_MARGIN:
            return (
                f"Conceding {model.concession:.1%} of their price a round, they are heading to "
                f"{hopeful:.2f} at best, beyond our limit of {self.price_limit:.2f}: "
                "no deal is possible."
            )
        return None

    def _beyond_limit(self, price: float) -> float:
        """How far ``price`` is past our price limit, as a fraction of it (<= 0: inside)."""
        return (self.price_limit - price) * self.price_direction / self.price_limit

    def _time(self, state: NegotiationState) -> float:
        """Negotiation time of this move, in [0, 1]."""
        return round_time(state.round, state.max_rounds)

    def _bargain(self, state: NegotiationState, view: View, quantity: int) -> Move:
        t = self._time(state)
        reason = self._no_deal(view, t)
        if reason is not None:
            return Move(Action.WALK_AWAY, strategies=("zopa_estimate",), rationale=(reason,))
        ctx = self._context(state, view, t, quantity)
        plan = self._plan(ctx)
        offer = self._offer(plan, view, quantity, ctx.competing_utility, ctx.closing)
        if self.monotone and state.round >= state.max_rounds - 1:
            offer = self._deliverable_lead(offer, view, quantity)
        offer_utility = self.scorer.score_terms(offer)
        standing = ctx.opponent_utility
        if standing is not None and standing < (ctx.competing_utility or 0.0) - 1e-9:
            standing = None  # another negotiation offers more: never settle for less
        last_move = state.round == state.max_rounds
        at_least_next = standing is not None and standing >= offer_utility - 1e-9
        end_game = (
            standing is not None
            and not at_least_next
            and not last_move
            and self._nothing_better_coming(view, ctx, standing)
        )
        accepting = at_least_next or end_game or (standing is not None and last_move)
        # On our last move the probe is our last offer, so it goes out only when they can still
        # answer it (we open rounds) and move on every offer: a time-based seller at its
        # deadline takes whatever clears its reservation, and the probe costs it little.
        probing = not last_move or (view.answerable_after == 0 and view.opponent.steady)
        probe = self._probe(state, view, quantity) if accepting and probing else None
        bar = standing if accepting and standing is not None else offer_utility
        back = self._offer_back(state, view, quantity, bar, ctx.competing_utility)
        # Their own offer back when it is worth more to us than what we would do otherwise;
        # at equal worth (what costs us nothing given to them) only if there is no probe.
        if back is not None and (not accepting or probe is None or back[1] > bar + 1e-9):
            return Move(
                Action.COUNTER,
                back[0],
                (*plan.used, OFFER_BACK),
                (
                    f"An offer of theirs is worth {back[1]:.2f} to us, at least what we would "
                    f"{'accept' if accepting else 'offer'} now: we propose it back, with what "
                    "costs us nothing given to them.",
                ),
            )
        if accepting:
            assert standing is not None
            if probe is not None:
                return Move(
                    Action.COUNTER,
                    probe,
                    (*plan.used, PROBE),
                    (
                        f"Their offer is worth {standing:.2f} to us; the same offer with the "
                        "payment terms and warranty of our last one may cost them nothing: "
                        + (
                            "we propose it as our last offer, for them to take at the deadline."
                            if last_move
                            else "we propose it once before accepting."
                        ),
                    ),
                )
            used = plan.used
            if last_move:
                why = f"Last round and their offer ({standing:.2f}) clears our reservation."
            elif end_game:
                used = (*used, NOTHING_BETTER_COMING)
                why = (
                    f"Our last chance to answer them before their final offer: theirs is worth "
                    f"{standing:.2f} to us, at least what they are heading to by the deadline "
                    f"({ctx.projected_utility or 0.0:.2f})."
                )
            else:
                why = (
                    f"Their offer is worth {standing:.2f} to us, at least what we would offer "
                    f"next ({offer_utility:.2f})."
                )
            return Move(Action.ACCEPT, view.opponent_standing, used, (why,))
        agreed = self._agreed_utility(state)
        if agreed is not None and offer_utility < agreed - 1e-9:
            # We never take a concession back, so the offer we would leave open is the best we
            # can still offer here; a deal already agreed elsewhere is better. (They may still
            # accept our standing offer before this move reaches them.)
            return Move(
                Action.WALK_AWAY,
                strategies=plan.used,
                rationale=(
                    f"A deal agreed elsewhere is worth {agreed:.2f} to us, more than the best "
                    f"we can still offer here ({offer_utility:.2f}): we withdraw.",
                ),
            )
        if last_move and self.side is Side.SUPPLIER:
            return Move(
                Action.WALK_AWAY,
                strategies=plan.used,
                rationale=("Last round and the offer on the table is outside our limits.",),
            )
        action = Action.COUNTER if view.opponent_standing is not None else Action.PROPOSE
        summary = (
            f"Offer {offer.unit_price} {offer.currency}/unit x {offer.quantity}, "
            f"{offer.lead_time_days}d lead, net {offer.payment_terms_days}, "
            f"{offer.warranty_months}m warranty (worth {offer_utility:.2f} to us)."
        )
        return Move(action, offer, plan.used, (*plan.notes, summary))

    def _deliverable_lead(self, offer: Terms, view: View, quantity: int) -> Terms:
        """``offer`` with a lead time they offered themselves (:meth:`_within_their_lead`),
        paid for by price at the same utility to us: our last offer before our last move (and
        with the closing offer, our last they can answer). A lead time nearer to us than all of
        theirs may break their hard limit, and then no price makes the offer acceptable to
        them: we would be left accepting their own offer, wherever it lies. Unchanged when
        price cannot pay for the move (a monotone price never moves back)."""
        if not view.opponent.offers:
            return offer
        moved = self._within_their_lead(offer, view, quantity)
        if moved.lead_time_days == offer.lead_time_days:
            return offer
        s = self.scorer
        utility = s.score_terms(offer)
        rest = s.rest(moved.lead_time_days, moved.payment_terms_days, moved.warranty_months)
        price = s.price_for(utility, rest)
        if price is None:
            return offer
        moved = moved.replace(unit_price=self._round_price(price))
        previous = view.own_offers[-1].unit_price if view.own_offers else moved.unit_price
        if (moved.unit_price - previous) * self.price_direction > 0:
            return offer  # price would move back: it cannot pay for the lead time
        return moved if s.score_terms(moved) >= utility - 1e-9 else offer

    def _probe(self, state: NegotiationState, view: View, quantity: int) -> Terms | None:
        """Their offer with the payment terms and warranty of our previous offer where those
        are better for us, once a negotiation and for a monotone negotiator only: a supplier
        that treats a range of payment terms (or warranties) alike opens at one end of it,
        so the opening tells us little about what it would give for free. None when there is
        nothing to gain or it was tried already."""
        theirs = view.opponent_standing
        if not self.monotone or not view.own_offers or theirs is None:
            return None
        if any(turn.side is self.side and PROBE in turn.move.strategies for turn in state.history):
            return None
        previous = self._clamped(view.own_offers[-1], quantity)[0]
        if previous is None:
            return None
        probe = self._no_retreat(
            theirs.replace(
                payment_terms_days=previous.payment_terms_days,
                warranty_months=previous.warranty_months,
            ),
            previous,
        )
        if probe == previous or self._violations(probe, quantity):
            return None
        gain = self.scorer.score_terms(probe) - self.scorer.score_terms(theirs)
        return probe if gain > PROBE_GAIN else None

    def _offer_back(
        self,
        state: NegotiationState,
        view: View,
        quantity: int,
        bar: float,
        outside: float | None,
    ) -> tuple[Terms, float] | None:
        """The best for us of their own offers, proposed back, with its worth to us, if that is
        at least ``bar`` (and our reservation and ``outside``): for a monotone negotiator while
        they can still answer. Each is taken inside our limits only, with our previous
        concessions kept and every issue moved towards them as far as it still scores our best
        (:meth:`_costless`), so it is at least as good for them on every issue as an offer they
        made themselves: an opponent that concedes over time takes it. None if there is none,
        or it is their standing offer unchanged."""
        theirs = view.opponent_standing
        if not self.monotone or not view.own_offers or theirs is None:
            return None
        if state.round == state.max_rounds and state.history[0].side is not self.side:
            return None  # our last move closes the negotiation: they cannot answer
        least = max(bar, self.scorer.reservation, outside or 0.0) - 1e-9
        # Costless moves keep our utility and keeping our concessions can only lower it: an
        # offer worth less than the best found so far cannot win.
        if view.opponent_best < least:
            return None
        previous = self._clamped(view.own_offers[-1], quantity)[0]
        if previous is None:
            return None
        score, best = self.scorer.score_terms, None
        worths = [(score(offer), offer) for offer in view.opponent.offers]
        for worth, offer in sorted(worths, key=itemgetter(0), reverse=True):
            if worth < least:
                break
            candidate = self._no_retreat(self._costless(offer), previous)
            utility = score(candidate)
            if utility >= least and not self._clamp(candidate, quantity)[1]:
                best, least = (candidate, utility), utility + 1e-12
        return None if best is None or best[0] == theirs else best

    def _costless(self, terms: Terms) -> Terms:
        """``terms`` with every non-price issue moved towards the opponent as far as it still
        scores our best: a lead time or warranty past ours. Never the price: a buyer proposing
        more than the supplier asked would tell it the brand's target, exactly."""
        lead, pay, warranty = self._ideal_package(terms)
        return Terms(terms.unit_price, terms.quantity, lead, pay, warranty, terms.currency)

    def _context(self, state: NegotiationState, view: View, t: float, quantity: int) -> Context:
        model = view.opponent
        score = self.scorer.score_terms
        gain = 0.0
        if len(model.offers) >= 2 and view.own_offers:
            # Relative tit-for-tat: their price equivalent moved by some fraction; moving ours
            # by the same fraction is worth this much to us. Price equivalents keep concessions
            # visible while they are still beyond our limit (where utilities are clipped).
            s, last = self.scorer, model.offers[-1]
            before = s.price_equivalent(model.offers[-2], last)
            fraction = (last.price - before) / max(abs(before), 0.01)
            ours = view.own_offers[-1].price
            span = max(1e-9, abs(s.price_best - s.price_worst))
            gain = fraction * self.price_direction * ours * s.w_price / span
        acceptable = self._acceptable(view.opponent_standing, quantity)
        # With nothing acceptable on the table: how many more offers they can answer.
        left = None if acceptable is not None else view.answerable_after
        projected = None
        # A projection of an opponent that has stopped moving is only its standing price; and
        # for our closing offer (the last it can answer, nothing acceptable on the table) only
        # an opponent that moved on each of its last two offers is heading there by itself: one
        # that repeats itself waits for us.
        credible = not model.holding and (left != 0 or model.steady)
        if model.projected_price is not None and model.last is not None and credible:
            last = model.last
            projected = self.scorer.score(
                model.projected_price,
                last.lead_time_days,
                last.payment_terms_days,
                last.warranty_months,
            )
        test = (
            read_reciprocity(state.history, self.side, state.round, state.max_rounds)
            if self.monotone
            else NO_TEST
        )
        return Context(
            side=self.side,
            t=t**self._jitter,
            round=state.round,
            max_rounds=state.max_rounds,
            reservation=self.scorer.reservation,
            base=self.profile.concession,
            last_own=score(view.own_offers[-1]) if view.own_offers else None,
            opponent_gain=gain,
            opponent_utility=acceptable,
            floor=self._floor(view.opponent_standing, view, quantity, left == 0),
            projected_utility=projected,
            competing_utility=self._competing_utility(state),
            large_order=self._large_order(quantity),
            quantity=quantity,
            closing=left == 0,
            waiting_left=left if model.holding else None,
            reciprocity_test=test.test_now,
            reciprocates=test.reciprocates,
        )

    def _answerable_after(self, state: NegotiationState) -> int | None:
        """How many more of our offers the opponent can answer after this one (the last round
        is the last when we open rounds, the one before when they do); None before any move."""
        if not state.history:
            return None
        last_answerable = state.max_rounds - (state.history[0].side is not self.side)
        return last_answerable - state.round

    def _nothing_better_coming(self, view: View, ctx: Context, worth: float) -> bool:
        """Whether their offer, worth ``worth`` to us, is worth at least what they are projected
        to offer by the deadline while this is our last offer they can answer (a monotone
        negotiator only). Countering it then bets the deal on their final offer, which the
        projection says is no better (an AC_combi-style end-game acceptance)."""
        projected = ctx.projected_utility
        return (
            self.monotone
            and projected is not None
            and worth >= projected - 1e-9
            and view.answerable_after == 0
        )

    def _floor(self, theirs: Terms | None, view: View, quantity: int, closing: bool) -> float:
        """Our reservation, or what their offer is worth brought inside our limits, if more: we
        could propose that instead (a monotone negotiator with its previous concessions
        kept, since it never takes one back). Not on our ``closing`` offer to an opponent that
        repeated itself on one of its last two offers (or made fewer than three: one that
        waits for us) when that is our previous offer, which they turned down: holding it
        there, they would never see the concession they wait for."""
        nearest = self._clamped(theirs, quantity)[0] if theirs is not None else None
        if nearest is None:
            return self.scorer.reservation
        if self.monotone and view.own_offers:
            previous = self._clamped(view.own_offers[-1], quantity)[0]
            if previous is not None:
                nearest = self._no_retreat(nearest, previous)
                if closing and not view.opponent.steady and nearest == previous:
                    return self.scorer.reservation
        return max(self.scorer.reservation, self.scorer.score_terms(nearest))

    def _plan(self, ctx: Context) -> Plan:
        plan = STRATEGIES[self.profile.concession].run(ctx, Plan())
        for tactic in self.profile.tactics:
            strategy = STRATEGIES[tactic]
            if strategy.applies(ctx):
                plan = strategy.run(ctx, plan)
        if plan.target < ctx.floor:
            note = f"Their offer, brought inside our limits, is worth {ctx.floor:.2f}: no lower."
            plan = plan.then(note, target=ctx.floor)
        outside = ctx.competing_utility
        if outside is not None and plan.target < outside:
            note = f"Another negotiation offers terms worth {outside:.2f} to us: no lower."
            plan = plan.then(note, target=outside)
        return plan

    def _offer(
        self,
        plan: Plan,
        view: View,
        quantity: int,
        outside: float | None = None,
        closing: bool = False,
    ) -> Terms:
        """The terms for ``plan``. A monotone negotiator never takes back a concession: the
        result is no better for us than its previous offer on any issue; and when a better
        deal elsewhere (``outside``) or our reservation leave no room for that, it repeats its
        previous offer. Its ``closing`` offer (the last they can answer, with nothing
        acceptable on the table) gives at least a lead time they offered themselves, if it can
        (:meth:`_within_their_lead`)."""
        previous = None
        if self.monotone and view.own_offers:
            # Inside today's limits (staff may have lowered them since) and for our quantity.
            last = view.own_offers[-1]
            if last.quantity != quantity:
                last = last.replace(quantity=quantity)
            previous = self._clamped(last, quantity)[0]
        if previous is None:
            return self._planned_offer(plan, view, quantity, None, outside)
        starts = [previous]
        if closing and view.opponent.offers:
            starts.insert(0, self._within_their_lead(previous, view, quantity))
        floor = max(self.scorer.reservation, outside or 0.0)
        goal = max(floor, plan.target)
        for start in starts:
            offer = self._no_retreat(
                self._planned_offer(plan, view, quantity, start, outside), start
            )
            utility = self.scorer.score_terms(offer)
            if utility < goal - 1e-9:
                offer = self._concede(start, goal, view)
                utility = self.scorer.score_terms(offer)
            if utility >= floor - 1e-9:
                return offer
        return previous

    def _within_their_lead(self, previous: Terms, view: View, quantity: int) -> Terms:
        """``previous`` with a lead time at least as far towards them as the nearest to us
        they have offered (inside our limits): lead time is a hard limit of theirs, and every
        lead time they offered is inside it, while one nearer to us than all of them may not
        be."""
        direction = self.towards_them[0]
        nearest = min(view.opponent.seen("lead_time_days"), key=lambda d: d * direction)
        lead = _towards(nearest, previous.lead_time_days, direction)
        if lead == previous.lead_time_days:
            return previous
        moved = self._clamped(previous.replace(lead_time_days=lead), quantity)[0]
        return previous if moved is None else moved

    def _planned_offer(
        self,
        plan: Plan,
        view: View,
        quantity: int,
        previous: Terms | None,
        outside: float | None,
    ) -> Terms:
        s = self.scorer
        if plan.split and view.own_offers and view.opponent_standing is not None:
            split = self._split(view.own_offers[-1], view.opponent_standing, quantity)
            if split is not None and s.score_terms(split) >= max(s.reservation, plan.target):
                return split
        if previous is not None and plan.trade_terms and view.opponent.offers:
            return self._concede(previous, plan.target, view)
        nearest = (
            self._clamped(view.opponent_standing, quantity)[0] if view.opponent_standing else None
        )
        if nearest is not None and plan.target <= s.score_terms(nearest) + 1e-9:
            return nearest  # conceding that far: offer their own terms, brought inside our limits
        package = self._ideal_package(previous)
        if plan.trade_terms and view.opponent.offers:
            traded = self._trade(view.opponent, self._estimate_opponent(view.opponent))
            if s.price_for(plan.target, s.rest(*traded)) is not None:
                package = traded
        target = plan.target
        met = self._meet_lead_limit(package, view.opponent_standing)
        if met != package:
            # Our lead-time limit caps what any offer can be worth: keep conceding along the
            # same schedule, scaled into what is still reachable (never under a better deal
            # elsewhere).
            package, top = met, s.price_part(s.price_best) + s.rest(*met)
            r = max(s.reservation, outside or 0.0)
            target = r + (target - r) * max(0.0, top - r) / max(1e-9, 1.0 - r)
        price = s.price_for(target, s.rest(*package))
        if price is None:  # rounding at the very top of the reachable range
            price = s.price_best
        if plan.anchor:
            price += plan.anchor * s.price_best * self.price_direction
        lead, pay, warranty = package
        return Terms(self._round_price(price), quantity, lead, pay, warranty, self.currency)

    def _no_retreat(self, offer: Terms, previous: Terms) -> Terms:
        """``offer`` with every issue at least as good for the opponent as in ``previous``."""
        lead, pay, warranty = self._no_retreat_package(
            (offer.lead_time_days, offer.payment_terms_days, offer.warranty_months), previous
        )
        price = _towards(offer.unit_price, previous.unit_price, -self.price_direction)
        if (price, lead, pay, warranty) == (
            offer.unit_price,
            offer.lead_time_days,
            offer.payment_terms_days,
            offer.warranty_months,
        ):
            return offer
        # The constructor rather than replace(): this runs on most moves.
        return Terms(price, offer.quantity, lead, pay, warranty, offer.currency)

    def _no_retreat_package(self, package: Package, previous: Terms) -> Package:
        lead, pay, warranty = self.towards_them
        return (
            _towards(package[0], previous.lead_time_days, lead),
            _towards(package[1], previous.payment_terms_days, pay),
            _towards(package[2], previous.warranty_months, warranty),
        )

    def _meet_lead_limit(self, package: Package, theirs: Terms | None) -> Package:
        """When their lead time is beyond our limit, ours may be beyond theirs: go to our limit
        so the two can meet (it is the closest to them we may go). Not for a monotone
        negotiator: it moves lead time like any issue, in order of efficiency, since what they
        open with is their ideal rather than their limit, and a jump to our limit can give up
        more than the whole price concession would."""
        limit, best = self.scorer.lead_worst, self.scorer.lead_best
        if self.monotone or theirs is None or (theirs.lead_time_days - limit) * (limit - best) <= 0:
            return package
        return (int(limit), package[1], package[2])

    def _ideal_package(self, previous: Terms | None = None) -> Package:
        s = self.scorer
        ideal = (int(s.lead_best), int(s.pay_best), int(s.warranty_best))
        return ideal if previous is None else self._no_retreat_package(ideal, previous)

    def _concede(self, previous: Terms, target: float, view: View) -> Terms:
        """From ``previous``, concede down to ``target`` along the issues in order of
        efficiency: each non-price move (payment terms, lead time, warranty) worth more to the
        opponent, per unit of our utility given up, than price is, while it costs no more than
        what is left to concede (plus ``LUMP_TOLERANCE``: those issues move in steps, except
        when what is left is ``MIN_STEP`` or less and price can make it); the rest on price.
        Every issue only moves towards the opponent, so the offer is never worse for them than
        ``previous`` and a reader sees each issue move one way."""
        s, theirs = self.scorer, view.opponent_standing
        est = self._estimate_opponent(view.opponent) if view.opponent.offers else s
        lead, pay, warranty = (
            previous.lead_time_days,
            previous.payment_terms_days,
            previous.warranty_months,
        )
        met = self._meet_lead_limit((lead, pay, warranty), theirs)[0]
        if met != lead:
            # Our lead-time limit caps what any offer can be worth: keep conceding along the
            # same schedule, scaled into what is still reachable.
            lead, r = met, s.reservation
            top = s.price_part(s.price_best) + s.rest(lead, pay, warranty)
            target = r + (target - r) * max(0.0, top - r) / max(1e-9, 1.0 - r)
        left = s.score(previous.price, lead, pay, warranty) - target
        # An opponent holding one offer waits for concessions it can see, and ours may still be
        # outside its limits on some term: every term it likely values moves before price.
        price_rate = 0.0 if view.opponent.holding else self._price_rate(est)
        # Never more on price than they ask for: past their ask it is worth nothing to them.
        ask = est.price_best
        cap = ask if (ask - s.price_worst) * self.price_direction > 0 else s.price_worst
        price_room = s.price_part(previous.price) - s.price_part(cap)
        unmoved = (lead, pay, warranty)
        while left > 1e-9:
            short = price_room < left - 1e-9  # price alone cannot get there
            moves = self._moves((lead, pay, warranty), est, theirs)
            if short:
                # Any move helps, but one that fits comes first, and one that goes past the
                # target by more than a step's tolerance waits until the target reaches it:
                # neither price nor the move itself can be taken back to make up for it.
                usable = [m for m in moves if m[1] <= left + 1e-9] or [
                    m for m in moves if m[1] <= left + LUMP_TOLERANCE
                ]
            else:
                # At most the least step (``MIN_STEP``) left: it goes on price, whatever the
                # profile; a whole payment term would give up several times what was asked.
                lump = LUMP_TOLERANCE if left > MIN_STEP + 1e-9 else 0.0
                usable = [m for m in moves if m[0] > price_rate and m[1] <= left + lump]
            if not usable:
                if (lead, pay, warranty) == unmoved:
                    target = self._wait_for_step(target, previous, moves, price_rate, view)
                break
            _, cost, issue, value = max(usable)
            left -= cost
            lead, pay, warranty = (
                value if issue == 0 else lead,
                value if issue == 1 else pay,
                value if issue == 2 else warranty,
            )
        price = s.price_for(target, s.rest(lead, pay, warranty))
        if price is None:
            price = previous.price
        if (price - cap) * self.price_direction < 0:
            price = cap
        rounded = self._round_price(price)
        if (rounded - previous.unit_price) * self.price_direction > 0:
            rounded = previous.unit_price
        unchanged = (lead, pay, warranty) == (
            previous.lead_time_days,
            previous.payment_terms_days,
            previous.warranty_months,
        )
        stuck = unchanged and rounded == previous.unit_price and target < s.score_terms(previous)
        # A step smaller than a cent still moves a cent: an offer they can see is new. And a
        # concession never lands exactly on our ideal price, which would tell them what it is.
        if stuck or float(rounded) == s.price_best:
            step = rounded - CENT * self.price_direction
            if (float(step) - cap) * self.price_direction >= 0:
                rounded = step
        return Terms(rounded, previous.quantity, lead, pay, warranty, previous.currency)

    def _wait_for_step(
        self,
        target: float,
        previous: Terms,
        moves: list[tuple[float, float, int, int]],
        price_rate: float,
        view: View,
    ) -> float:
        """The target of a concession when no step on another issue fits what is left to give
        (``_concede`` found none usable): ``target``, unless one of those steps is worth
        ``WAIT_FOR_STEP`` times as much to them as price, per unit of our utility. Then price
        moves by the least step (``MIN_STEP``) until the target comes down to that step:
        spending on price first would give them, at the same cost to us, a fraction of what the
        step gives, and no issue moves back to make up for it. Not once fewer than
        ``WAIT_OFFERS`` of our offers they can answer follow this one, when the target may no
        longer reach the step."""
        after = view.answerable_after
        if after is not None and after < WAIT_OFFERS:
            return target
        if not any(m[0] > WAIT_FOR_STEP * price_rate for m in moves):
            return target
        return max(target, self.scorer.score_terms(previous) - MIN_STEP)

    def _price_rate(self, est: Scorer) -> float:
        """What a unit of our utility given up on price is worth to the opponent (estimated)."""
        s = self.scorer
        ours_per_unit = s.w_price / max(1e-9, abs(s.price_best - s.price_worst))
        theirs_per_unit = est.w_price / max(1e-9, abs(est.price_best - est.price_worst))
        return theirs_per_unit / max(1e-12, ours_per_unit)

    def _moves(
        self, package: Package, est: Scorer, theirs: Terms | None
    ) -> list[tuple[float, float, int, int]]:
        """Single-issue concessions from ``package``: (opponent gain per unit of our cost, our
        cost, issue index, new value), for moves the opponent likely values."""
        s = self.scorer
        lead, pay, warranty = package
        out: list[tuple[float, float, int, int]] = []
        options = (
            (lead, _lead_options(s, lead, theirs)),
            (pay, PAYMENT_TERMS_DAYS),
            (warranty, (0, theirs.warranty_months if theirs else warranty)),
        )
        our_parts, their_parts = s.issue_parts, est.issue_parts
        for issue, (current, values) in enumerate(options):
            direction = self.towards_them[issue]
            ours, theirs_part = our_parts[issue], their_parts[issue]
            ours_now, theirs_now = ours[current], theirs_part[current]
            for value in values:
                if (value - current) * direction <= 0:
                    continue
                gain = theirs_part[value] - theirs_now
                if gain <= 1e-9:
                    continue
                # Conditionals rather than max(): this is the innermost loop of a concession.
                cost = ours_now - ours[value]
                cost = cost if cost > 0.0 else 0.0
                out.append((gain / (cost if cost > 1e-9 else 1e-9), cost, issue, int(value)))
        return out

    def _trade(self, model: OpponentModel, est: Scorer) -> Package:
        """The package maximising the opponent's estimated utility at our target utility.

        Whatever utility a package leaves us is paid back to the opponent as price, at the
        exchange rate between the two sides' price utilities; with linear-additive utilities
        the choice separates per issue: maximise ``theirs(x) + rate * ours(x)``. Each issue
        chooses among our best, our limit, the middle and their latest value."""
        s = self.scorer
        rate = self._price_rate(est)
        last = model.offers[-1]

        def pick(options: set[int], issue: int) -> int:
            theirs, ours = est.issue_parts[issue], s.issue_parts[issue]
            return max(sorted(options), key=lambda x: theirs[x] + rate * ours[x])

        lo, hi = sorted((int(s.lead_best), int(s.lead_worst)))
        leads = {lo, hi, (lo + hi) // 2, min(hi, max(lo, last.lead_time_days))}
        wlo, whi = sorted((int(s.warranty_best), int(s.warranty_worst)))
        warranties = {wlo, whi, min(whi, max(wlo, last.warranty_months))}
        return (pick(leads, 0), pick(set(PAYMENT_TERMS_DAYS), 1), pick(warranties, 2))

    def _split(self, own: Terms, theirs: Terms, quantity: int) -> Terms | None:
        """Midpoint of the nearest versions of both offers inside our limits (payment snapped
        to the allowed options; limits are intervals, so the midpoint is inside them too).
        None if either cannot be brought inside."""
        a, b = self._clamped(own, quantity)[0], self._clamped(theirs, quantity)[0]
        if a is None or b is None:
            return None
        mid_pay = (a.payment_terms_days + b.payment_terms_days) / 2
        pay = min(PAYMENT_TERMS_DAYS, key=lambda d: (abs(d - mid_pay), d))
        return Terms(
            self._round_price((a.price + b.price) / 2),
            quantity,
            (a.lead_time_days + b.lead_time_days) // 2,
            pay,
            (a.warranty_months + b.warranty_months) // 2,
            self.currency,
        )


def _lead_options(s: Scorer, lead: int, theirs: Terms | None) -> tuple[int, ...]:
    """Lead times to consider conceding to: their latest (inside our limit), the middle of
    what is left and our limit."""
    limit = int(s.lead_worst)
    values = [limit, (lead + limit) // 2]
    if theirs is not None:
        values.append(min(max(theirs.lead_time_days, min(lead, limit)), max(lead, limit)))
    return tuple(values)


def _towards(value: T, previous: T, direction: int) -> T:
    """``value`` if it is at least ``previous`` in ``direction`` (+1 up, -1 down), else
    ``previous``."""
    return value if (value >= previous if direction > 0 else value <= previous) else previous


@lru_cache(maxsize=1024)
def prior_scorer(
    weights: tuple[float, float, float, float],
    price_best: float,
    price_worst: float,
    *,
    lead: tuple[int, int],
    pay: tuple[int, int],
    warranty: tuple[int, int],
) -> Scorer:
    """A scorer for the opponent's estimated utility. Cached: negotiators estimate the opponent
    anew on every move, mostly from the same figures (its opening offer, its projection)."""
    total = sum(weights)
    wp, wl, wpay, ww = (w / total for w in weights)
    return Scorer(
        wp,
        wl,
        wpay,
        ww,
        price_best,
        price_worst,
        lead[0],
        lead[1],
        pay[0],
        pay[1],
        warranty[0],
        warranty[1],
        0.0,
    )
