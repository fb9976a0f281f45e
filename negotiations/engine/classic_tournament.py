"""The classic-agent tournament: brand profiles and classic buyers against classic sellers.

Every buyer (each brand profile, then each classic agent as buyer) meets every classic seller
on every setting of a domain (``domains.py``), once with each side opening. An *instance* is
(setting, seller, opening order). Per buyer the report gives:

- mean buyer utility over the instances some classic buyer agrees in (no deal scores the
  buyer's reservation value: what walking away leaves it);
- agreement rate over those instances;
- mean distance of its agreements to the Pareto frontier;
- deals under reservation: agreements below either side's reservation or outside either
  side's hard limits (over every instance).

Two robustness reports play the default profile and the classic buyers on settings the bench
was not tuned on: discrete domains of other shapes (:func:`robustness_reports`), and both
domains with the classic agents turning targets into bids by each of three rules
(:func:`bidding_reports`, the bench's own among them), since published implementations of one
agent differ there.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from negotiations.engine.analysis import frontier_distance, zopa_exists
from negotiations.engine.arena import Negotiates, play
from negotiations.engine.classic import BID_WINDOW, BIDDING_RULES, CLASSIC_AGENTS, Ranking
from negotiations.engine.domains import (
    ROBUSTNESS_SHAPES,
    DiscreteShape,
    Setting,
    discrete_settings,
    generate_scenarios,
    our_settings,
)
from negotiations.engine.moves import Move, NegotiationState, Side
from negotiations.engine.negotiators import BrandNegotiator
from negotiations.engine.profiles import BRAND_PROFILES, DEFAULT_BRAND_PROFILE
from negotiations.engine.terms import Terms

FULL_CLASSIC = 40
QUICK_CLASSIC = 4
"""Settings per domain (each: 13 buyers x 8 sellers x 2 opening orders)."""
ROBUSTNESS_SETTINGS = 60
"""Settings per robustness shape (each: 9 buyers x 8 sellers x 2 opening orders)."""
ROBUSTNESS_SEED = 99
BRAND_ROWS = tuple(p for p in BRAND_PROFILES if p != "naive_split")
CLASSIC_ROWS = tuple(f"classic {name}" for name in CLASSIC_AGENTS)
ALL_BUYERS = (*BRAND_ROWS, *CLASSIC_ROWS)
DEFAULT_AND_CLASSIC = (DEFAULT_BRAND_PROFILE, *CLASSIC_ROWS)
"""The buyers of the robustness reports."""
ROBUSTNESS_COLUMNS = (
    "| default buyer U | margin over the best classic buyer "
    "| agreement (lowest seller) | Pareto dist | deals under reservation (any buyer) |\n"
    "|---|---|---|---|---|---|"
)
"""The robustness tables' columns after the first, and the header's underline."""

Instance = tuple[int, str, bool]
"""(setting seed, seller, brand opens)"""


@dataclass(frozen=True, slots=True)
class Result:
    agreed: bool
    buyer_utility: float
    pareto: float
    under_reservation: bool


@dataclass
class BuyerRow:
    name: str
    results: dict[Instance, Result] = field(default_factory=dict)
    decisions: int = 0
    seconds: float = 0.0

    def over(self, instances: list[Instance]) -> list[Result]:
        return [self.results[i] for i in instances]

    def mean_utility(self, instances: list[Instance]) -> float:
        rows = self.over(instances)
        return sum(r.buyer_utility for r in rows) / len(rows) if rows else 0.0

    def agreement(self, instances: list[Instance]) -> float:
        rows = self.over(instances)
        return sum(r.agreed for r in rows) / len(rows) if rows else 1.0

    @property
    def pareto(self) -> float:
        values = [r.pareto for r in self.results.values() if r.agreed]
        return sum(values) / len(values) if values else 0.0

    @property
    def under_reservation(self) -> int:
        return sum(r.under_reservation for r in self.results.values())


@dataclass
class DomainReport:
    domain: str
    settings: int
    rows: dict[str, BuyerRow]

    @property
    def agreeable(self) -> list[Instance]:
        """Instances in which at least one classic buyer reached a deal."""
        classic = [self.rows[name] for name in CLASSIC_ROWS]
        keys = next(iter(self.rows.values())).results
        return [i for i in keys if any(row.results[i].agreed for row in classic)]

    def best_classic(self) -> BuyerRow:
        instances = self.agreeable
        return max((self.rows[n] for n in CLASSIC_ROWS), key=lambda r: r.mean_utility(instances))

    def seller_agreement(self, row: str, seller: str) -> float:
        return self.rows[row].agreement([i for i in self.agreeable if i[1] == seller])

    def margin(self, row: str = DEFAULT_BRAND_PROFILE) -> tuple[float, BuyerRow]:
        """``row``'s mean utility over :attr:`agreeable` less the best classic buyer's, and
        that buyer."""
        instances, best = self.agreeable, self.best_classic()
        return self.rows[row].mean_utility(instances) - best.mean_utility(instances), best

    def weakest_seller(self, row: str) -> tuple[str, float]:
        """The seller ``row`` agrees with least often, and that agreement rate."""
        rates = {s: self.seller_agreement(row, s) for s in CLASSIC_AGENTS}
        weakest = min(rates, key=lambda s: rates[s])
        return weakest, rates[weakest]

    @property
    def decisions_per_second(self) -> float:
        rows = [row for name, row in self.rows.items() if name in BRAND_ROWS]
        seconds = sum(r.seconds for r in rows)
        return sum(r.decisions for r in rows) / seconds if seconds else 0.0


def run_classic(
    domain: str,
    settings: Iterable[Setting],
    buyers: tuple[str, ...] = ALL_BUYERS,
    bidding: str = BIDDING_RULES[0],
) -> DomainReport:
    """Every buyer in ``buyers`` (brand profiles and ``CLASSIC_ROWS``, which every report
    needs) against every classic seller on every setting, with both opening orders; the
    classic agents, in either seat, bid by ``bidding`` (``classic.BIDDING_RULES``)."""
    rows = {name: BuyerRow(name) for name in buyers}
    count = 0
    for setting in settings:
        count += 1
        buyer_ranking, seller_ranking = setting.rankings()
        for seller in CLASSIC_AGENTS:
            for brand_first in (True, False):
                instance = (setting.seed, seller, brand_first)
                for name, row in rows.items():
                    opponent = CLASSIC_AGENTS[seller](
                        Side.SUPPLIER, seller_ranking, setting.seed + 1, bidding
                    )
                    buyer = _buyer(name, setting, buyer_ranking, bidding)
                    timer = _Timed(buyer) if name in BRAND_ROWS else buyer
                    played = play(timer, opponent, setting.max_rounds, brand_first=brand_first)
                    if isinstance(timer, _Timed):
                        row.decisions += timer.calls
                        row.seconds += timer.seconds
                    row.results[instance] = _result(setting, played.terms)
    return DomainReport(domain, count, rows)


def _buyer(name: str, setting: Setting, ranking: Ranking, bidding: str) -> Negotiates:
    if name in BRAND_ROWS:
        return BrandNegotiator(replace(setting.brand, profile=name), setting.seed)
    agent = CLASSIC_AGENTS[name.removeprefix("classic ")]
    return agent(Side.BRAND, ranking, setting.seed, bidding)


class _Timed:
    """Counts a negotiator's decisions and the CPU time they take."""

    def __init__(self, inner: Negotiates) -> None:
        self.inner, self.calls, self.seconds = inner, 0, 0.0

    def respond(self, state: NegotiationState) -> Move:
        start = time.process_time()
        move = self.inner.respond(state)
        self.seconds += time.process_time() - start
        self.calls += 1
        return move


def _result(setting: Setting, terms: Terms | None) -> Result:
    if terms is None:
        return Result(False, setting.brand.reservation, 0.0, False)
    ub, us = setting.buyer_utility()(terms), setting.seller_utility()(terms)
    under = (
        ub is None
        or us is None
        or ub < setting.brand.reservation - 1e-9
        or us < setting.supplier.reservation - 1e-9
    )
    point = (ub or 0.0, us or 0.0)
    return Result(True, point[0], frontier_distance(point, setting.front), under)


def format_classic(report: DomainReport) -> str:
    instances = report.agreeable
    margin, best = report.margin()
    lines = [
        f"Classic tournament, {report.domain} domain: {report.settings} settings x "
        f"{len(CLASSIC_AGENTS)} classic sellers x 2 opening orders; {len(instances)} instances "
        "in which some classic buyer agrees.",
        "",
        "| buyer | mean buyer U | agreement | lowest vs one seller | Pareto dist "
        "| deals under reservation |",
        "|---|---|---|---|---|---|",
    ]
    for name, row in report.rows.items():
        weakest, rate = report.weakest_seller(name)
        label = f"**{name}** (default)" if name == DEFAULT_BRAND_PROFILE else name
        lines.append(
            f"| {label} | {row.mean_utility(instances):.3f} | {row.agreement(instances):.1%} "
            f"| {weakest} {rate:.0%} | {row.pareto:.3f} | {row.under_reservation} |"
        )
    lines += [
        "",
        f"Default profile vs the best classic buyer ({best.name}): {margin:+.3f}. "
        f"Brand decisions: {sum(report.rows[n].decisions for n in BRAND_ROWS):,} at "
        f"{report.decisions_per_second:,.0f}/s (CPU time of one core).",
    ]
    return "\n".join(lines)


def domain_settings(settings: int, seed: int = 7) -> dict[str, list[Setting]]:
    """``settings`` discrete settings, and ours from the scenarios with a zone of agreement
    among ``2 * settings`` (about ``settings``)."""
    ours = [
        (s.brand, s.supplier, s.max_rounds, s.seed)
        for s in generate_scenarios(2 * settings, seed)
        if zopa_exists(s.brand, s.supplier)
    ]
    return {
        "discrete": discrete_settings(settings, seed + 4),
        "ours": our_settings(ours, seed + 6),
    }


def classic_reports(settings: int, seed: int = 7) -> dict[str, DomainReport]:
    """The tournament on both domains' settings (:func:`domain_settings`)."""
    return {
        domain: run_classic(domain, drawn)
        for domain, drawn in domain_settings(settings, seed).items()
    }


def robustness_reports(
    settings: int = ROBUSTNESS_SETTINGS, seed: int = ROBUSTNESS_SEED
) -> list[tuple[DiscreteShape, DomainReport]]:
    """The default profile and the classic buyers on ``settings`` settings of each discrete
    shape in ``ROBUSTNESS_SHAPES``."""
    return [
        (
            shape,
            run_classic(shape.name, discrete_settings(settings, seed, shape), DEFAULT_AND_CLASSIC),
        )
        for shape in ROBUSTNESS_SHAPES
    ]


def bidding_reports(
    settings: int = ROBUSTNESS_SETTINGS, seed: int = ROBUSTNESS_SEED
) -> list[tuple[str, DomainReport]]:
    """The default profile and the classic buyers on both domains' settings
    (:func:`domain_settings`, drawn once) with the classic agents bidding by each rule of
    ``classic.BIDDING_RULES`` (the bench's own first, on these settings), labelled "rule,
    domain"."""
    drawn = domain_settings(settings, seed)
    return [
        (f"{rule}, {domain}", run_classic(domain, each, DEFAULT_AND_CLASSIC, rule))
        for rule in BIDDING_RULES
        for domain, each in drawn.items()
    ]


def format_robustness(reports: list[tuple[DiscreteShape, DomainReport]], seed: int) -> str:
    """One row per shape (:func:`_default_row`). ``seed`` is the one ``reports`` were drawn
    with."""
    count = reports[0][1].settings if reports else 0
    lines = [
        f"Robustness: the default profile ({DEFAULT_BRAND_PROFILE}) on discrete domains shaped "
        f"unlike the bench's, one feature changed at a time ({count} settings each, seed {seed}).",
        "",
        "| discrete shape " + ROBUSTNESS_COLUMNS,
    ]
    lines += [_default_row(shape.name, report) for shape, report in reports]
    return "\n".join(lines)


def format_bidding(reports: list[tuple[str, DomainReport]], seed: int) -> str:
    """One row per bidding rule and domain (:func:`_default_row`). ``seed`` is the one
    ``reports`` were drawn with."""
    domains = {report.domain: report.settings for _, report in reports}
    sizes = " / ".join(f"{count} {domain}" for domain, count in domains.items())
    lines = [
        f"Robustness: the default profile ({DEFAULT_BRAND_PROFILE}) with the classic agents "
        "turning targets into bids by each rule: the smallest utility at or above the target "
        f"(least_above, the bench's), the nearest to it (nearest), or a random one up to "
        f"{BID_WINDOW} above it (window); {sizes} settings, seed {seed}.",
        "",
        "| bidding rule, domain " + ROBUSTNESS_COLUMNS,
    ]
    lines += [_default_row(label, report) for label, report in reports]
    return "\n".join(lines)


def _default_row(label: str, report: DomainReport) -> str:
    """The default's mean buyer utility, its margin over the best classic buyer, its agreement
    (and its weakest seller's), its Pareto distance, and the deals under reservation of any
    buyer."""
    instances, default = report.agreeable, report.rows[DEFAULT_BRAND_PROFILE]
    margin, best = report.margin()
    utility = default.mean_utility(instances)
    weakest, rate = report.weakest_seller(DEFAULT_BRAND_PROFILE)
    under = sum(row.under_reservation for row in report.rows.values())
    return (
        f"| {label} | {utility:.3f} | {margin:+.3f} ({best.name}) "
        f"| {default.agreement(instances):.1%} ({weakest} {rate:.0%}) "
        f"| {default.pareto:.3f} | {under} |"
    )
