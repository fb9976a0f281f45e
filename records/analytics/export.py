"""The analytics figures as CSV rows: one figure a row, with its baseline and currency named."""

import csv
import io
from collections.abc import Iterator

from records.analytics.figures import BASELINES, Analytics
from records.exports.transcript import safe_cell

HEADER = ["section", "figure", "baseline or detail", "currency", "value"]


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def _hours(figures: Analytics) -> str:
    close = figures.mean_time_to_close
    return "" if close is None else f"{close.total_seconds() / 3600:.2f}"


def _per_quote(figures: Analytics) -> str:
    value = figures.interventions_per_quote
    return "" if value is None else f"{value:.2f}"


def _rows(figures: Analytics) -> Iterator[list]:
    period = f"quotes created {figures.start} to {figures.end}"
    yield ["period", "quotes started", period, "", figures.quotes]
    for money in figures.money:
        cur = money.currency
        yield ["spend", "quotes awarded", "", cur, money.awarded_quotes]
        yield ["spend", "spend negotiated", "agreed price x quantity", cur, money.spend]
        yield ["savings", "savings", BASELINES["target"], cur, money.savings_vs_target]
        yield ["savings", "savings", BASELINES["first_offer"], cur, money.savings_vs_first_offer]
        yield ["savings", "savings", BASELINES["list_price"], cur, money.savings_vs_list_price]
    yield ["outcomes", "negotiations ended", "", "", figures.negotiations_ended]
    yield ["outcomes", "agreement rate (%)", "agreed / ended", "", _percent(figures.agreement_rate)]
    yield ["outcomes", "mean rounds", "ended negotiations", "", figures.mean_rounds or ""]
    yield ["outcomes", "mean time to close (hours)", "start to award or close", "", _hours(figures)]
    yield [
        "effort",
        "staff interventions per quote",
        "guidance and answers",
        "",
        _per_quote(figures),
    ]
    yield [
        "effort",
        "LLM cost per quote",
        "all agent calls",
        "USD",
        figures.llm_cost_per_quote or "",
    ]
    for status, count in figures.outcome_mix:
        yield ["outcome mix", status, "negotiations", "", count]
    for supplier in figures.suppliers:
        yield ["supplier", "negotiations", supplier.name, "", supplier.negotiations]
        yield ["supplier", "deals", supplier.name, "", supplier.deals]
        yield ["supplier", "awards", supplier.name, "", supplier.awards]
        yield ["supplier", "win rate (%)", supplier.name, "", _percent(supplier.win_rate)]
        discount = supplier.mean_discount if supplier.mean_discount is not None else ""
        yield ["supplier", "mean discount from first offer (%)", supplier.name, "", discount]
        yield [
            "supplier",
            "on-time reply rate (%)",
            supplier.name,
            "",
            _percent(supplier.on_time_reply_rate),
        ]


def analytics_csv(figures: Analytics) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    # Supplier names are user input: never a formula in a spreadsheet.
    writer.writerows([safe_cell(value) for value in row] for row in _rows(figures))
    return out.getvalue()
