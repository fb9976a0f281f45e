"""The robustness shapes: discrete domains that change one of the bench's ranges, and the
bench's ``--robustness`` table over them."""

import pytest

from negotiations.engine.classic_tournament import CLASSIC_ROWS, robustness_reports
from negotiations.engine.domains import (
    DISCRETE,
    LEAD_TIME_CHOICES,
    ROBUSTNESS_SHAPES,
    DiscreteShape,
    discrete_settings,
)
from negotiations.engine.profiles import DEFAULT_BRAND_PROFILE
from negotiations.engine.tournament import main


def within(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


def test_the_default_shape_is_the_benchs_discrete_domain() -> None:
    assert ROBUSTNESS_SHAPES[0] == DISCRETE
    assert discrete_settings(5, 3, DISCRETE) == discrete_settings(5, 3)


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
    long_ = discrete_settings(10, 5, shapes["40 rounds"])
    assert {s.max_rounds for s in long_} == {40}
    assert {s.max_rounds for s in discrete_settings(10, 5)} == {20}
    many = discrete_settings(40, 5, shapes["supplier prefers any payment term"])
    assert {s.supplier.preferred_payment_terms_days for s in many} - {0, 30}


def test_the_robustness_report_plays_the_default_and_the_classic_buyers_on_every_shape() -> None:
    reports = robustness_reports(settings=1)
    assert [shape for shape, _ in reports] == list(ROBUSTNESS_SHAPES)
    for shape, report in reports:
        assert report.settings == 1
        assert list(report.rows) == [DEFAULT_BRAND_PROFILE, *CLASSIC_ROWS], shape.name
        default = report.rows[DEFAULT_BRAND_PROFILE]
        assert len(default.results) == 16  # 8 sellers x 2 opening orders
        assert all(row.under_reservation == 0 for row in report.rows.values()), shape.name


def test_the_bench_prints_the_robustness_table_when_asked(capsys: pytest.CaptureFixture) -> None:
    main(["--scenarios", "2", "--classic", "1"])
    assert "Robustness" not in capsys.readouterr().out
    main(["--scenarios", "2", "--classic", "1", "--robustness", "1"])
    out = capsys.readouterr().out
    table = out[out.index("Robustness:") :].splitlines()
    rows = [line for line in table if line.startswith("| ") and "discrete shape" not in line]
    assert [row.split(" | ")[0].removeprefix("| ") for row in rows] == [
        shape.name for shape in ROBUSTNESS_SHAPES
    ]
    assert all(row.endswith("| 0 |") for row in rows)
