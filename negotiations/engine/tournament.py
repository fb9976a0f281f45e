"""Tournament benchmark: ``python -m negotiations.engine.tournament [--quick] [--scenarios N]
[--classic N] [--robustness [N]]``.

Two tournaments. The first generates procurement scenarios (about half with a zone of
agreement), plays every brand profile against every supplier temperament on each, plus the
naive split-the-difference baseline, and prints one row per brand profile. The second
(``classic_tournament.py``) plays the brand profiles and the classic agents as buyers against
the classic agents as sellers, on a discrete domain and on ours; with ``--robustness`` the
default profile and the classic buyers also play discrete domains of other shapes
(``domains.ROBUSTNESS_SHAPES``), and both domains with the classic agents bidding by each rule
of ``classic.BIDDING_RULES``.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from negotiations.engine.analysis import nash_point, pareto_distance, zopa_exists
from negotiations.engine.classic_tournament import (
    FULL_CLASSIC,
    QUICK_CLASSIC,
    ROBUSTNESS_SEED,
    ROBUSTNESS_SETTINGS,
    bidding_reports,
    classic_reports,
    format_bidding,
    format_classic,
    format_robustness,
    robustness_reports,
)
from negotiations.engine.domains import Scenario, generate_scenarios
from negotiations.engine.guardrails import brand_limit_violations, supplier_limit_violations
from negotiations.engine.moves import Action, Side, Turn
from negotiations.engine.preferences import BrandPreferences, SupplierPreferences
from negotiations.engine.profiles import BRAND_PROFILES, TEMPERAMENTS
from negotiations.engine.simulate import Outcome, Transcript, simulate
from negotiations.engine.utility import brand_utility, supplier_utility

BASELINE = "naive_split"
FULL_SCENARIOS = 300
QUICK_SCENARIOS = 24


@dataclass
class Row:
    """Tallies for one brand profile (or the baseline) over every temperament."""

    name: str
    zopa_runs: int = 0
    zopa_deals: int = 0
    no_zopa_runs: int = 0
    no_zopa_deals: int = 0
    brand_utility: float = 0.0
    supplier_utility: float = 0.0
    pareto: list[float] = field(default_factory=list)
    nash: list[float] = field(default_factory=list)
    zopa_rounds: int = 0
    no_zopa_rounds: int = 0
    no_zopa_walkaways: int = 0
    runs: int = 0
    corrections: int = 0
    violations: int = 0

    @property
    def agreement_rate(self) -> float:
        return self.zopa_deals / self.zopa_runs if self.zopa_runs else 1.0

    @property
    def mean_brand_utility(self) -> float:
        """Per ZOPA scenario, a failed negotiation scoring 0 (the reservation)."""
        return self.brand_utility / self.zopa_runs if self.zopa_runs else 0.0

    @property
    def mean_supplier_utility(self) -> float:
        return self.supplier_utility / self.zopa_runs if self.zopa_runs else 0.0

    @property
    def mean_pareto_distance(self) -> float:
        return sum(self.pareto) / len(self.pareto) if self.pareto else 0.0

    @property
    def mean_nash_distance(self) -> float:
        return sum(self.nash) / len(self.nash) if self.nash else 0.0

    @property
    def mean_zopa_rounds(self) -> float:
        return self.zopa_rounds / self.zopa_runs if self.zopa_runs else 0.0

    @property
    def mean_no_zopa_rounds(self) -> float:
        return self.no_zopa_rounds / self.no_zopa_runs if self.no_zopa_runs else 0.0

    def add(self, scenario: Scenario, brand: BrandPreferences, transcript: Transcript) -> None:
        has_zopa = zopa_exists(brand, scenario.supplier)
        deal = transcript.outcome is Outcome.AGREED
        self.runs += 1
        self.corrections += sum(1 for t in transcript.turns if t.move.violations)
        self.violations += sum(
            _limit_breaches(t, brand, scenario.supplier) for t in transcript.turns
        )
        if not has_zopa:
            self.no_zopa_runs += 1
            self.no_zopa_deals += deal
            self.no_zopa_rounds += transcript.rounds
            self.no_zopa_walkaways += transcript.outcome is Outcome.WALKED_AWAY
            return
        self.zopa_runs += 1
        self.zopa_rounds += transcript.rounds
        if deal and transcript.final_terms is not None:
            self.zopa_deals += 1
            point = (
                brand_utility(transcript.final_terms, brand),
                supplier_utility(transcript.final_terms, scenario.supplier),
            )
            self.brand_utility += point[0]
            self.supplier_utility += point[1]
            self.pareto.append(pareto_distance(point, brand, scenario.supplier))
            nash = nash_point(brand, scenario.supplier)
            if nash is not None:
                self.nash.append(math.dist(point, nash))


def _limit_breaches(turn: Turn, brand: BrandPreferences, supplier: SupplierPreferences) -> int:
    """Independent re-check of a transcript move against its side's hard limits."""
    terms = turn.move.terms
    if terms is None or turn.move.action not in (Action.PROPOSE, Action.COUNTER, Action.ACCEPT):
        return 0
    if turn.side is Side.BRAND:
        return int(bool(brand_limit_violations(terms, brand)))
    return int(bool(supplier_limit_violations(terms, supplier, brand.quantity)))


@dataclass
class Report:
    rows: list[Row]
    decisions: int
    seconds: float

    @property
    def decisions_per_second(self) -> float:
        return self.decisions / self.seconds if self.seconds else 0.0

    @property
    def engine_rows(self) -> list[Row]:
        return [r for r in self.rows if r.name not in (BASELINE, "all profiles")]

    @property
    def overall(self) -> Row:
        return next(r for r in self.rows if r.name == "all profiles")

    @property
    def baseline(self) -> Row:
        return next(r for r in self.rows if r.name == BASELINE)


def run_tournament(scenarios: Iterable[Scenario]) -> Report:
    """Every brand profile (and the baseline) against every temperament on every scenario."""
    profiles = [p for p in BRAND_PROFILES if p != BASELINE]
    rows = {name: Row(name) for name in [*profiles, BASELINE]}
    overall = Row("all profiles")
    decisions, seconds = 0, 0.0
    for scenario in scenarios:
        for temperament in TEMPERAMENTS:
            supplier = _with_temperament(scenario.supplier, temperament)
            current = Scenario(scenario.brand, supplier, scenario.max_rounds, scenario.seed)
            for name, row in rows.items():
                brand = _with_profile(scenario.brand, name)
                start = time.process_time()
                transcript = simulate(brand, supplier, scenario.max_rounds, scenario.seed)
                seconds += time.process_time() - start
                decisions += len(transcript.turns)
                row.add(current, brand, transcript)
                if name != BASELINE:
                    overall.add(current, brand, transcript)
    return Report([*rows.values(), overall], decisions, seconds)


def _with_profile(prefs: BrandPreferences, profile: str) -> BrandPreferences:
    return BrandPreferences(**{**prefs.__dict__, "profile": profile})


def _with_temperament(prefs: SupplierPreferences, temperament: str) -> SupplierPreferences:
    return SupplierPreferences(**{**prefs.__dict__, "temperament": temperament})


def format_report(report: Report, scenario_count: int) -> str:
    header = (
        "| brand profile | agreement (ZOPA) | deals w/o ZOPA | brand U | supplier U "
        "| Pareto dist | Nash dist | rounds (ZOPA / none) | walk-aways w/o ZOPA "
        "| guardrail corrections | limit breaches |"
    )
    lines = [header, "|" + "---|" * 11]
    for r in report.rows:
        lines.append(
            f"| {r.name} | {r.agreement_rate:.1%} ({r.zopa_deals}/{r.zopa_runs}) "
            f"| {r.no_zopa_deals}/{r.no_zopa_runs} | {r.mean_brand_utility:.3f} "
            f"| {r.mean_supplier_utility:.3f} | {r.mean_pareto_distance:.3f} "
            f"| {r.mean_nash_distance:.3f} "
            f"| {r.mean_zopa_rounds:.1f} / {r.mean_no_zopa_rounds:.1f} "
            f"| {r.no_zopa_walkaways}/{r.no_zopa_runs} | {r.corrections} "
            f"| {r.violations} |"
        )
    lines.append("")
    lines.append(
        f"{scenario_count} scenarios x {len(TEMPERAMENTS)} temperaments; "
        f"{report.decisions} decisions in {report.seconds:.2f}s = "
        f"{report.decisions_per_second:,.0f} decisions/s (CPU time of one core)."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_SCENARIOS} scenarios, {QUICK_CLASSIC} classic settings per domain (CI)",
    )
    parser.add_argument("--scenarios", type=int, default=None)
    parser.add_argument("--classic", type=int, default=None, help="classic settings per domain")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--robustness",
        type=_positive,
        nargs="?",
        const=ROBUSTNESS_SETTINGS,
        metavar="N",
        help="also play the default profile on the discrete robustness shapes, and on both "
        "domains against classic agents bidding by each rule, N settings each (default "
        f"{ROBUSTNESS_SETTINGS}; always seed {ROBUSTNESS_SEED}, whatever --seed)",
    )
    args = parser.parse_args(argv)
    count = args.scenarios or (QUICK_SCENARIOS if args.quick else FULL_SCENARIOS)
    report = run_tournament(generate_scenarios(count, args.seed))
    print(format_report(report, count))
    settings = args.classic or (QUICK_CLASSIC if args.quick else FULL_CLASSIC)
    for report_ in classic_reports(settings, args.seed).values():
        print()
        print(format_classic(report_))
    if args.robustness is not None:
        print()
        reports = robustness_reports(args.robustness, ROBUSTNESS_SEED)
        print(format_robustness(reports, ROBUSTNESS_SEED))
        print()
        print(format_bidding(bidding_reports(args.robustness, ROBUSTNESS_SEED), ROBUSTNESS_SEED))


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


if __name__ == "__main__":
    main()
