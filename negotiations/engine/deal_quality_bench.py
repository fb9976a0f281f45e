"""How well the money-left-on-the-table estimate reads simulated suppliers:
``python -m negotiations.engine.deal_quality_bench [--quick] [--scenarios N]``.

Plays every brand profile against every supplier temperament on the tournament's scenarios and,
for each agreement, compares :func:`estimated_room` (the supplier's offers only) with
:func:`known_room` (its true limits). Errors are per unit, as a share of the agreed price.
"""

from __future__ import annotations

import argparse
import statistics
from dataclasses import dataclass, field

from negotiations.engine.deal_quality import estimated_room, known_room
from negotiations.engine.moves import OFFER_ACTIONS, Side
from negotiations.engine.preferences import BrandPreferences, SupplierPreferences
from negotiations.engine.profiles import BRAND_PROFILES, TEMPERAMENTS
from negotiations.engine.simulate import Outcome, simulate
from negotiations.engine.tournament import (
    BASELINE,
    FULL_SCENARIOS,
    QUICK_SCENARIOS,
    generate_scenarios,
)


@dataclass
class Tally:
    """Estimate errors of one method (``none``: no estimate was possible)."""

    errors: list[float] = field(default_factory=list)
    known: list[float] = field(default_factory=list)
    covered: int = 0

    def line(self, method: str) -> str:
        count = len(self.known)
        zero = statistics.mean(self.known) if self.known else 0.0
        if not self.errors:
            return f"| {method} | {count} | - | - | - | {zero:.1%} |"
        return (
            f"| {method} | {count} | {statistics.mean(abs(e) for e in self.errors):.1%} "
            f"| {statistics.mean(self.errors):+.1%} | {self.covered / count:.0%} | {zero:.1%} |"
        )


def run(scenario_count: int, seed: int = 7) -> dict[str, Tally]:
    tallies: dict[str, Tally] = {}
    for scenario in generate_scenarios(scenario_count, seed):
        for temperament in TEMPERAMENTS:
            supplier = SupplierPreferences(
                **{**scenario.supplier.__dict__, "temperament": temperament}
            )
            for profile in BRAND_PROFILES:
                if profile == BASELINE:
                    continue
                brand = BrandPreferences(**{**scenario.brand.__dict__, "profile": profile})
                transcript = simulate(brand, supplier, scenario.max_rounds, scenario.seed)
                if transcript.outcome is not Outcome.AGREED or transcript.final_terms is None:
                    continue
                agreed = transcript.final_terms
                offers = [
                    (turn.round, turn.move.terms)
                    for turn in transcript.turns
                    if turn.side is Side.SUPPLIER
                    and turn.move.action in OFFER_ACTIONS
                    and turn.move.terms is not None
                ]
                estimate = estimated_room(offers, agreed, brand, scenario.max_rounds)
                known = known_room(agreed, supplier).per_unit
                price = float(agreed.unit_price)
                tally = tallies.setdefault(estimate.method if estimate else "none", Tally())
                tally.known.append(known / price)
                if estimate is not None:
                    tally.errors.append((estimate.per_unit - known) / price)
                    tally.covered += estimate.low - 1e-9 <= known <= estimate.high + 1e-9
    return tallies


def format_report(tallies: dict[str, Tally], scenario_count: int) -> str:
    lines = [
        "| method | agreements | mean abs error | bias | known room in range "
        "| known room (the error of saying 0) |",
        "|---|---|---|---|---|---|",
        *(tallies[m].line(m) for m in sorted(tallies)),
        "",
        f"{scenario_count} scenarios x {len(TEMPERAMENTS)} temperaments x "
        f"{len(BRAND_PROFILES) - 1} brand profiles; errors per unit, as a share of the agreed "
        "price.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_SCENARIOS} scenarios (CI)")
    parser.add_argument("--scenarios", type=int, default=None)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    count = args.scenarios or (QUICK_SCENARIOS if args.quick else FULL_SCENARIOS)
    print(format_report(run(count, args.seed), count))


if __name__ == "__main__":
    main()
