"""The robustness reports: discrete domains that change one of the bench's ranges, classic
agents that bid by other rules, and the bench's ``--robustness`` tables over them."""

from collections.abc import Iterable
from decimal import Decimal

import pytest

from negotiations.engine import classic_tournament, tournament
from negotiations.engine.classic import BIDDING_RULES, CLASSIC_AGENTS, ClassicAgent
from negotiations.engine.classic_tournament import (
    CLASSIC_ROWS,
    DomainReport,
    bidding_reports,
    robustness_reports,
)
from negotiations.engine.domains import (
    DISCRETE,
    LEAD_TIME_CHOICES,
    ROBUSTNESS_SHAPES,
    DiscreteShape,
    Setting,
    discrete_settings,
)
from negotiations.engine.moves import Side
from negotiations.engine.profiles import DEFAULT_BRAND_PROFILE
from negotiations.engine.terms import Terms


def within(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


def test_the_default_shape_draws_the_settings_the_bench_always_drew() -> None:
    """Recorded from the generator before shapes existed: the bench's figures still hold."""
    assert ROBUSTNESS_SHAPES[0] == DISCRETE
    drawn = [
        (
            min(o.unit_price for o in s.outcomes),
            max(o.unit_price for o in s.outcomes),
            sorted({o.lead_time_days for o in s.outcomes}),
            s.quantity,
            s.supplier.preferred_payment_terms_days,
            round(s.brand.reservation, 6),
            round(s.supplier.weights.price, 6),
        )
        for s in discrete_settings(3, 11)
    ]
    assert drawn == [
        (Decimal("45.79"), Decimal("64.19"), [7, 10, 14, 28, 45, 60], 500, 30, 0.283376, 0.585504),
        (Decimal("74.15"), Decimal("106.97"), [3, 10, 60], 500, 0, 0.206836, 0.533606),
        (Decimal("46.28"), Decimal("59.01"), [3, 10, 14, 21, 28], 100, 30, 0.335315, 0.300245),
    ]


@pytest.mark.parametrize("shape", ROBUSTNESS_SHAPES, ids=lambda s: s.name)
def test_every_setting_of_a_shape_is_drawn_from_its_ranges(shape: DiscreteShape) -> None:
    for setting in discrete_settings(25, 5, shape):
        brand, supplier = setting.brand, setting.supplier
        prices = sorted({o.unit_price for o in setting.outcomes})
        leads = sorted({o.lead_time_days for o in setting.outcomes})
        assert setting.max_rounds == shape.rounds
        assert within(brand.reservation, shape.reservations)
        assert within(supplier.reservation, shape.reservations)
        # Prices are rounded to cents and de-duplicated, so a short grid may lose a step.
        assert len(prices) <= shape.price_steps[1]
        low, high = shape.price_spread
        assert within(float(prices[-1] / prices[0]), (low - 0.01, high + 0.01))
        assert within(len(leads), shape.lead_times) and set(leads) <= set(LEAD_TIME_CHOICES)
        assert brand.quantity in shape.quantities
        assert supplier.preferred_payment_terms_days in shape.supplier_payment
        assert within(brand.weights.price, shape.buyer_price_weight)
        assert within(supplier.weights.price, shape.seller_price_weight)


def test_a_shape_changes_what_its_name_says() -> None:
    shapes = {shape.name: shape for shape in ROBUSTNESS_SHAPES}
    many = discrete_settings(40, 5, shapes["supplier prefers any payment term"])
    assert {s.supplier.preferred_payment_terms_days for s in many} - {0, 30}
    fine = discrete_settings(10, 5, shapes["20-40 prices"])
    assert max(len({o.unit_price for o in s.outcomes}) for s in fine) > DISCRETE.price_steps[1]


def test_a_shape_without_a_grid_is_refused() -> None:
    with pytest.raises(ValueError, match="2 prices"):
        DiscreteShape("one price", price_steps=(1, 1))
    with pytest.raises(ValueError, match="more lead times"):
        DiscreteShape("too many leads", lead_times=(3, len(LEAD_TIME_CHOICES) + 1))


def test_the_robustness_report_plays_the_default_and_the_classic_buyers_on_every_shape(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drawn = []

    def recording(count: int, seed: int, shape: DiscreteShape) -> list:
        drawn.append((count, seed, shape))
        return discrete_settings(count, seed, shape)

    monkeypatch.setattr(classic_tournament, "discrete_settings", recording)
    reports = robustness_reports(settings=1, seed=4)
    assert drawn == [(1, 4, shape) for shape in ROBUSTNESS_SHAPES]
    assert [shape for shape, _ in reports] == list(ROBUSTNESS_SHAPES)
    for shape, report in reports:
        assert report.settings == 1
        assert list(report.rows) == [DEFAULT_BRAND_PROFILE, *CLASSIC_ROWS], shape.name
        default = report.rows[DEFAULT_BRAND_PROFILE]
        assert len(default.results) == 2 * len(CLASSIC_AGENTS)  # both opening orders
        assert report.decisions_per_second > 0  # the default's, the only brand row here
        assert all(row.under_reservation == 0 for row in report.rows.values()), shape.name


def test_the_bench_prints_the_robustness_table_when_asked(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    main = tournament.main
    main(["--scenarios", "2", "--classic", "1"])
    assert "Robustness" not in capsys.readouterr().out
    asked = []
    for name in ("robustness_reports", "bidding_reports"):
        monkeypatch.setattr(
            tournament, name, lambda n, seed, name=name: asked.append((name, n, seed)) or []
        )
    main(["--scenarios", "2", "--classic", "1", "--robustness"])
    settings, seed = classic_tournament.ROBUSTNESS_SETTINGS, classic_tournament.ROBUSTNESS_SEED
    assert asked == [("robustness_reports", settings, seed), ("bidding_reports", settings, seed)]
    with pytest.raises(SystemExit):
        main(["--scenarios", "2", "--robustness", "0"])
    monkeypatch.undo()
    capsys.readouterr()
    main(["--scenarios", "2", "--classic", "1", "--robustness", "1"])
    out = capsys.readouterr().out
    shapes, rules = (
        [line for line in table.splitlines() if line.startswith("| ")][1:]  # after the header
        for table in out.split("Robustness:")[1:]
    )
    assert [row.split(" | ")[0].removeprefix("| ") for row in shapes] == [
        shape.name for shape in ROBUSTNESS_SHAPES
    ]
    assert [row.split(" | ")[0].removeprefix("| ") for row in rules] == [
        f"{rule}, {domain}" for rule in BIDDING_RULES for domain in ("discrete", "ours")
    ]
    assert all(row.endswith("| 0 |") for row in shapes + rules)


def test_the_bidding_report_plays_every_rule_on_both_domains(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each rule, the bench's first, on the discrete domain and ours, with the default profile
    and the classic buyers; the classic agents of both seats bid by it."""
    played: list[tuple[str, tuple[str, ...], str]] = []
    bids: set[tuple[str, Side, str]] = set()
    run_classic, bid = classic_tournament.run_classic, ClassicAgent.bid

    def recording(
        domain: str, settings: Iterable[Setting], buyers: tuple[str, ...], bidding: str
    ) -> DomainReport:
        played.append((domain, buyers, bidding))
        return run_classic(domain, settings, buyers, bidding)

    def bidding(agent: ClassicAgent, target: float) -> Terms:
        bids.add((played[-1][2], agent.side, agent.bidding))
        return bid(agent, target)

    monkeypatch.setattr(classic_tournament, "run_classic", recording)
    monkeypatch.setattr(ClassicAgent, "bid", bidding)
    reports = bidding_reports(settings=1, seed=4)
    buyers = (DEFAULT_BRAND_PROFILE, *CLASSIC_ROWS)
    labels = [(rule, domain) for rule in BIDDING_RULES for domain in ("discrete", "ours")]
    assert played == [(domain, buyers, rule) for rule, domain in labels]
    assert bids == {(rule, side, rule) for rule in BIDDING_RULES for side in Side}
    assert [label for label, _ in reports] == [f"{rule}, {domain}" for rule, domain in labels]
    for label, report in reports:
        assert len(report.rows[DEFAULT_BRAND_PROFILE].results) == 2 * len(CLASSIC_AGENTS), label
        assert all(row.under_reservation == 0 for row in report.rows.values()), label
