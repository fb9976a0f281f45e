"""Classic negotiation agents from the literature, written from their published definitions.

They play the tournament (``tournament.py``) against the brand profiles and each other, in
either seat, over any finite outcome space (a tuple of :class:`Terms`) with their own
utility function, hard limits and reservation value. Like our negotiators they answer a
:class:`NegotiationState` with a :class:`Move`, depend only on (setup, seed, state), and
accept only the opponent's latest offer.

- **Time-dependent** (Faratin, Sierra & Jennings 1998): target utility
  ``u(t) = best - (best - r)·t^(1/e)``; Boulware e = 0.2, Linear e = 1, Conceder e = 2.
- **Aspiration**: a polynomial aspiration level ``r + (best - r)·(1 - t^4)`` that also serves as
  its acceptance threshold (it accepts whatever meets its current aspiration).
- **Tit-for-tat** (Faratin et al. 1998, behaviour-dependent), in utility space: *naive*
  concedes exactly what the opponent's last move gained us; *relative* concedes the same share
  of its own remaining surplus as the opponent's last move closed of the gap between them.
- **MiCRO** (de Jonge 2022): walks down its outcomes best first, one new outcome only after the
  opponent has made at least as many distinct offers as it has; otherwise repeats one of its
  earlier offers. Accepts what is worth at least its next offer; never offers below its
  reservation.
- **Hybrid** of time and behaviour (after Keskin, Çakan & Aydoğan's hybrid agent): the target
  blends a tit-for-tat target (a weighted window of the opponent's recent concessions) with a
  linear time-dependent one, the time part weighing ``t²``.

Unless stated, an agent offers the outcome whose utility is the smallest at or above its
target and accepts with AC_next: the opponent's latest offer is worth at least its own next
offer to it (and at least its reservation). Published implementations differ in how they turn a
target into a bid, so the bidding rule is a choice (``BIDDING_RULES``): the smallest at or
above the target (the default), the nearest to it either side (as GENIUS's "bid near
utility"), or a seeded random one within ``BID_WINDOW`` above it (as many ANAC agents do).
MiCRO walks its own ranking and bids alike under every rule.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from negotiations.engine.moves import (
    OFFER_ACTIONS,
    Action,
    Move,
    NegotiationState,
    Side,
    round_time,
)
from negotiations.engine.terms import Terms

BOULWARE_E = 0.2
LINEAR_E = 1.0
CONCEDER_E = 2.0
ASPIRATION_EXPONENT = 4.0
BIDDING_RULES = ("least_above", "nearest", "window")
"""How an agent turns a target utility into a bid (see the module docstring)."""
BID_WINDOW = 0.03
"""The ``window`` rule's range of utilities above the target."""
HYBRID_WINDOW = (3.0, 2.0, 1.0)
"""Weights of the opponent's last three concessions in the hybrid's behaviour part, newest
first."""

Utility = Callable[[Terms], float | None]
"""An agent's utility of terms; None when the terms break its hard limits."""


@dataclass(frozen=True, slots=True)
class History:
    """The offers so far from one agent's point of view, oldest first."""

    own: tuple[Terms, ...]
    theirs: tuple[Terms, ...]
    t: float


@dataclass(frozen=True, slots=True)
class Ranking:
    """An agent's outcomes at or above its reservation, by increasing utility (built once per
    setting and shared by every agent sitting in that seat)."""

    utility: Utility
    reservation: float
    values: tuple[float, ...]
    outcomes: tuple[Terms, ...]

    @classmethod
    def build(cls, utility: Utility, outcomes: Sequence[Terms], reservation: float) -> Ranking:
        scored = sorted(
            ((u, o) for o in outcomes if (u := utility(o)) is not None and u >= reservation),
            key=lambda p: p[0],
        )
        return cls(utility, reservation, tuple(u for u, _ in scored), tuple(o for _, o in scored))


class ClassicAgent:
    """Common machinery: the outcome space ranked by our utility, bidding at a target and the
    AC_next acceptance condition. Subclasses define :meth:`target` (or :meth:`next_offer`)."""

    name = "classic"

    def __init__(
        self, side: Side, ranking: Ranking, seed: int = 0, bidding: str = BIDDING_RULES[0]
    ) -> None:
        if bidding not in BIDDING_RULES:
            raise ValueError(f"unknown bidding rule {bidding!r}; one of {list(BIDDING_RULES)}")
        self.side = side
        self.bidding = bidding
        self.utility = ranking.utility
        self.reservation = ranking.reservation
        self.seed = seed
        self._ascending = ranking.values
        self._outcomes = ranking.outcomes
        self.best = ranking.values[-1] if ranking.values else ranking.reservation

    # -- bidding ------------------------------------------------------------------------
    def bid(self, target: float) -> Terms:
        """The outcome for ``target`` by the agent's bidding rule: the one worth the least
        among those worth at least ``target`` (the best one when none is); with ``nearest`` the
        next one down instead when it is nearer to the target; with ``window`` a random one
        (seeded by the agent's seed and the target) among those within ``BID_WINDOW`` above
        it. Never one under the reservation: the ranking holds none."""
        values = self._ascending
        i = bisect.bisect_left(values, target - 1e-12)
        if i >= len(values):
            return self._outcomes[-1]
        if self.bidding == "nearest" and i > 0 and target - values[i - 1] < values[i] - target:
            return self._outcomes[i - 1]
        if self.bidding == "window":
            end = bisect.bisect_right(values, target + BID_WINDOW + 1e-12)
            rng = random.Random(f"{self.seed}:{target!r}")
            return self._outcomes[rng.randrange(i, max(end, i + 1))]
        return self._outcomes[i]

    def value(self, terms: Terms | None) -> float | None:
        if terms is None:
            return None
        u = self.utility(terms)
        return u if u is not None and u >= self.reservation else None

    def time_target(self, t: float, e: float) -> float:
        return self.best - (self.best - self.reservation) * t ** (1.0 / e)

    def target(self, history: History) -> float:
        raise NotImplementedError

    def next_offer(self, history: History) -> Terms:
        return self.bid(self.target(history))

    def accepts(self, theirs: float, offer: Terms, history: History) -> bool:
        """AC_next: their offer is worth at least our next one."""
        own = self.utility(offer)
        return own is not None and theirs >= own - 1e-12

    # -- the move -----------------------------------------------------------------------
    def respond(self, state: NegotiationState) -> Move:
        if not self._outcomes:
            return Move(Action.WALK_AWAY, rationale=("Nothing acceptable to offer.",))
        history = self.history(state)
        offer = self.next_offer(history)
        theirs = self.value(history.theirs[-1]) if history.theirs else None
        if theirs is not None and self.accepts(theirs, offer, history):
            return Move(Action.ACCEPT, history.theirs[-1], (self.name,))
        action = Action.COUNTER if history.theirs else Action.PROPOSE
        return Move(action, offer, (self.name,))

    def history(self, state: NegotiationState) -> History:
        own: list[Terms] = []
        theirs: list[Terms] = []
        for turn in state.history:
            if turn.move.action in OFFER_ACTIONS and turn.move.terms is not None:
                (own if turn.side is self.side else theirs).append(turn.move.terms)
        return History(tuple(own), tuple(theirs), round_time(state.round, state.max_rounds))

    def gains(self, history: History) -> list[float]:
        """What each of the opponent's moves gained us, in our utility, oldest first
        (offers outside our limits count as worth 0)."""
        values = [self.utility(o) or 0.0 for o in history.theirs]
        return [b - a for a, b in itertools.pairwise(values)]

    def last_target(self, history: History) -> float:
        """What the lowest of our offers is worth to us (our best before we have offered): where
        we stand. With ``least_above`` and ``nearest`` that is our latest offer, since these
        agents' bids never rise; a ``window`` bid may land above the target, and reading it as
        where we stand would let the agent creep back up while the opponent holds."""
        values = [u for o in history.own if (u := self.utility(o)) is not None]
        return min(values, default=self.best)


class TimeDependent(ClassicAgent):
    e = LINEAR_E

    def target(self, history: History) -> float:
        return self.time_target(history.t, self.e)


class Boulware(TimeDependent):
    name = "boulware"
    e = BOULWARE_E


class Linear(TimeDependent):
    name = "linear"
    e = LINEAR_E


class Conceder(TimeDependent):
    name = "conceder"
    e = CONCEDER_E


class Aspiration(ClassicAgent):
    name = "aspiration"

    def target(self, history: History) -> float:
        t = history.t
        return self.reservation + (self.best - self.reservation) * (1 - t**ASPIRATION_EXPONENT)

    def accepts(self, theirs: float, offer: Terms, history: History) -> bool:
        return theirs >= self.target(history) - 1e-12


class NaiveTitForTat(ClassicAgent):
    name = "naive_tft"

    def target(self, history: History) -> float:
        gains = self.gains(history)
        if not history.own or not gains:
            return self.last_target(history)
        return max(self.reservation, self.last_target(history) - max(0.0, gains[-1]))


class RelativeTitForTat(ClassicAgent):
    name = "relative_tft"

    def target(self, history: History) -> float:
        gains = self.gains(history)
        mine = self.last_target(history)
        if not history.own or not gains:
            return mine
        before = self.utility(history.theirs[-2]) or 0.0
        gap = mine - before
        share = max(0.0, gains[-1]) / gap if gap > 1e-9 else 1.0
        return max(self.reservation, mine - min(1.0, share) * (mine - self.reservation))


class Hybrid(ClassicAgent):
    name = "hybrid"

    def target(self, history: History) -> float:
        mine = self.last_target(history)
        gains = self.gains(history)[-len(HYBRID_WINDOW) :][::-1]
        weights = HYBRID_WINDOW[: len(gains)]
        mirrored = sum(w * max(0.0, g) for w, g in zip(weights, gains, strict=True))
        behaviour = mine - (mirrored / sum(weights) if gains else 0.0)
        t = history.t
        blended = (1 - t * t) * behaviour + t * t * self.time_target(t, LINEAR_E)
        return max(self.reservation, min(mine, blended))


class MiCRO(ClassicAgent):
    name = "micro"

    def next_offer(self, history: History) -> Terms:
        ranked = self._outcomes[::-1]  # best first
        made = list(dict.fromkeys(history.own))
        if len(set(history.theirs)) >= len(made) and len(made) < len(ranked):
            return ranked[len(made)]
        rng = random.Random(f"{self.seed}:{len(history.own)}")
        return rng.choice(made) if made else ranked[0]

    def accepts(self, theirs: float, offer: Terms, history: History) -> bool:
        lowest = min((self.utility(o) or 0.0 for o in {*history.own, offer}), default=self.best)
        return theirs >= lowest - 1e-12


CLASSIC_AGENTS: dict[str, type[ClassicAgent]] = {
    agent.name: agent
    for agent in (
        Boulware,
        Linear,
        Conceder,
        Aspiration,
        NaiveTitForTat,
        RelativeTitForTat,
        MiCRO,
        Hybrid,
    )
}
"""Classic agents by name: ``CLASSIC_AGENTS[name](side, ranking, seed, bidding)``."""
