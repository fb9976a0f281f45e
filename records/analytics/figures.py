"""Every figure of the analytics page, computed in the database (aggregates, no per-row Python),
so the page costs the same handful of queries whatever the number of negotiations.

The period is the quotes *created* in it (dates in the user's time zone). Money figures are per
currency; a quote's figures count once it is awarded, at its awarded negotiation's agreed price.

The figures are sums of the daily summary rows (``records/analytics/summaries.py``) over the
whole UTC days of the period, plus the same sums read live over the rest: the negotiations still
running, the quotes still negotiating, and the quotes of the part-days at the period's edges (and,
away from UTC, of the days that straddle a local month, so that each month's savings are exact).
"""

import operator
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import reduce

from django.db.models import DecimalField, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from negotiations.models import ENDED_STATUSES, Negotiation, NegotiationStatus, Quote, QuoteStatus
from negotiations.services.summary import agent_call_cost, staff_message_count
from procur.accounts.models import Organisation
from records.analytics.summaries import (
    day_of,
    day_start,
    negotiation_sums,
    quote_sums,
    with_price,
)
from records.models import DailyQuoteSummary, DailySummary

RATIO = DecimalField(max_digits=20, decimal_places=6)
CENT = Decimal("0.01")
# Baselines of the savings, as the page names them.
BASELINES = {
    "target": "your target price",
    "first_offer": "the supplier's first offer",
    "list_price": "the supplier's list price (as in the directory today)",
}
RUNNING_STATUSES = [s for s in NegotiationStatus.values if s not in ENDED_STATUSES]


@dataclass(frozen=True)
class Money:
    """What was awarded in one currency, and what it saved against each baseline."""

    currency: str
    awarded_quotes: int
    spend: Decimal
    savings_vs_target: Decimal
    savings_vs_first_offer: Decimal
    savings_vs_list_price: Decimal


@dataclass(frozen=True)
class SupplierFigures:
    supplier_id: int
    name: str
    negotiations: int
    deals: int
    awards: int
    win_rate: float | None  # awards / negotiations
    mean_discount: Decimal | None  # % off its first offer, over its deals
    # Invited negotiations that did not end for want of a reply / invited negotiations ended.
    on_time_reply_rate: float | None


@dataclass(frozen=True)
class Analytics:
    start: date
    end: date
    quotes: int  # started in the period
    money: list[Money]
    negotiations_ended: int
    negotiations_agreed: int
    mean_rounds: Decimal | None
    mean_time_to_close: timedelta | None
    interventions: int
    llm_cost: Decimal
    outcome_mix: list[tuple[str, int]]
    # Savings against target per month of creation, in the currency with the most spend.
    savings_by_month: list[tuple[date, Decimal]]
    chart_currency: str
    suppliers: list[SupplierFigures]

    @property
    def agreement_rate(self) -> float | None:
        if not self.negotiations_ended:
            return None
        return self.negotiations_agreed / self.negotiations_ended

    @property
    def interventions_per_quote(self) -> float | None:
        return self.interventions / self.quotes if self.quotes else None

    @property
    def llm_cost_per_quote(self) -> Decimal | None:
        return (self.llm_cost / self.quotes).quantize(Decimal("0.0001")) if self.quotes else None


Instants = tuple[datetime, datetime]


@dataclass(frozen=True)
class Period:
    """The period's instants, the runs of summary days in it (``[first, after)``: whole UTC days,
    each within one local month) and the instants left over, read live."""

    since: datetime
    until: datetime
    runs: list[tuple[date, date]]
    live: list[Instants]


def _day_bounds(start: date, end: date) -> Instants:
    """The period as instants in the current time zone: from the start of ``start`` to the
    start of the day after ``end`` (a range the created_at index can serve)."""
    zone = timezone.get_current_timezone()
    first = datetime.combine(start, time.min, tzinfo=zone)
    return first, datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)


def _month_starts(since: datetime, until: datetime) -> Iterator[datetime]:
    """The starts of the local months after ``since`` and before ``until``."""
    local = timezone.localtime(since)
    year, month = local.year, local.month
    while True:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        start = datetime(year, month, 1, tzinfo=local.tzinfo)
        if start >= until:
            return
        yield start


def split_period(since: datetime, until: datetime) -> Period:
    """The instants from ``since`` to ``until`` as summary days and live ranges."""
    first = day_of(since) + timedelta(days=0 if day_start(day_of(since)) == since else 1)
    after = day_of(until)
    # A UTC day in which a local month starts (after its midnight) is read live.
    starts = _month_starts(since, until)
    cuts = sorted({day_of(start) for start in starts if day_start(day_of(start)) != start})
    runs = []
    for cut in (*cuts, after):
        if first < min(cut, after):
            runs.append((first, min(cut, after)))
        first = max(first, cut + timedelta(days=1))
    live, cursor = [], since
    for start, end in runs:
        if day_start(start) > cursor:
            live.append((cursor, day_start(start)))
        cursor = day_start(end)
    if cursor < until:
        live.append((cursor, until))
    return Period(since, until, runs, live)


def _any(conditions: Iterable[Q]) -> Q:
    """Any of the conditions (none: nothing matches)."""
    return reduce(operator.or_, conditions, Q(pk__in=[]))


def _within(field: str, ranges: Iterable[Instants]) -> Q:
    return _any(Q(**{f"{field}__gte": low, f"{field}__lt": high}) for low, high in ranges)


GROUP = ("supplier_id", "supplier__name", "supplier__list_price")


def _summary_days(period: Period) -> Q:
    return _any(Q(day__gte=first, day__lt=after) for first, after in period.runs)


def _negotiation_rows(
    organisation: Organisation, period: Period
) -> tuple[list[dict], list[dict], QuerySet[Negotiation]]:
    """The negotiations' sums by supplier and currency, and their awards and savings against
    target by currency and month of creation: from the summary rows, and live (grouped by
    both); and the negotiations still running."""
    summary = DailySummary.objects.filter(organisation=organisation).filter(_summary_days(period))
    by_supplier = (
        summary.values(*GROUP, "currency")
        .annotate(**{name: Sum(name) for name in negotiation_sums()})
        .order_by()
    )
    by_month = (
        summary.values("currency", month=TruncMonth("day"))
        .annotate(awards=Sum("awards"), savings_vs_target=Sum("savings_vs_target"))
        .order_by()
    )
    negotiations = Negotiation.objects.filter(
        quote__organisation=organisation,
        quote__created_at__gte=period.since,
        quote__created_at__lt=period.until,
        quote__started_at__isnull=False,
    )
    running = Q(status__in=RUNNING_STATUSES)
    read_live = list(
        with_price(negotiations.filter(running | _within("quote__created_at", period.live)))
        .values(*GROUP, currency=F("quote__currency"), month=TruncMonth("quote__created_at"))
        .annotate(**negotiation_sums())
        .order_by()
    )
    return [*by_supplier, *read_live], [*by_month, *read_live], negotiations.filter(running)


def _quote_figures(organisation: Organisation, period: Period) -> dict:
    """Quotes started, quotes decided and their time to close: summary rows plus live."""
    summary = DailyQuoteSummary.objects.filter(organisation=organisation).filter(
        _summary_days(period)
    )
    read_live = Quote.objects.filter(
        Q(status=QuoteStatus.NEGOTIATING) | _within("created_at", period.live),
        organisation=organisation,
        created_at__gte=period.since,
        created_at__lt=period.until,
        started_at__isnull=False,
    )
    figures = read_live.aggregate(**quote_sums())
    for name, total in summary.aggregate(**{name: Sum(name) for name in figures}).items():
        figures[name] += total or type(figures[name])()
    return figures


def _running_effort(running: QuerySet[Negotiation]) -> dict:
    """Staff messages and LLM cost of the negotiations still running (few), read live in one
    query: the ended ones' are stored in their summaries."""
    return running.annotate(staff_of=staff_message_count(), cost_of=agent_call_cost()).aggregate(
        staff=Coalesce(Sum("staff_of"), 0),
        cost=Coalesce(Sum("cost_of"), Decimal(0), output_field=RATIO),
    )


def _cents(value: Decimal | None) -> Decimal:
    return (value or Decimal(0)).quantize(CENT)


def _money(
    rows: list[dict], month_rows: list[dict]
) -> tuple[list[Money], str, list[tuple[date, Decimal]]]:
    """The money figures per currency, and the savings against target per month in the currency
    with the most spend."""
    totals: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in rows:
        if not row["awards"]:
            continue
        total = totals[row["currency"]]
        total["awards"] += row["awards"]
        total["spend"] += row["spend"]
        total["vs_target"] += row["savings_vs_target"]
        total["vs_first"] += row["savings_vs_first_offer"]
        # Against the list price as it is today: list price x units bought - what they cost.
        total["vs_list"] += row["supplier__list_price"] * row["awarded_quantity"] - row["spend"]
    months: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    for row in month_rows:
        if row["awards"]:
            month = row["month"]  # a date from the summary rows, an instant from live ones
            month = month.date() if isinstance(month, datetime) else month
            months[row["currency"], month] += row["savings_vs_target"]
    money = sorted(
        (
            Money(
                currency=currency,
                awarded_quotes=int(total["awards"]),
                spend=_cents(total["spend"]),
                savings_vs_target=_cents(total["vs_target"]),
                savings_vs_first_offer=_cents(total["vs_first"]),
                savings_vs_list_price=_cents(total["vs_list"]),
            )
            for currency, total in totals.items()
        ),
        key=lambda m: -m.spend,
    )
    currency = money[0].currency if money else ""
    by_month = sorted(
        (month, _cents(saved)) for (of, month), saved in months.items() if of == currency
    )
    return money, currency, by_month


def _suppliers(rows: list[dict]) -> list[SupplierFigures]:
    totals: dict[int, dict] = {}
    for row in rows:
        total = totals.setdefault(
            row["supplier_id"], defaultdict(Decimal, name=row["supplier__name"])
        )
        for name in (
            "negotiations",
            NegotiationStatus.AGREED,
            "awards",
            "discount_sum",
            "discounts",
            "invited_ended",
            "invited_on_time",
        ):
            total[name] += row[name]
    return [
        SupplierFigures(
            supplier_id=supplier_id,
            name=total["name"],
            negotiations=int(total["negotiations"]),
            deals=int(total[NegotiationStatus.AGREED]),
            awards=int(total["awards"]),
            win_rate=int(total["awards"]) / int(total["negotiations"]),
            mean_discount=(
                (total["discount_sum"] / total["discounts"]).quantize(Decimal("0.1"))
                if total["discounts"]
                else None
            ),
            on_time_reply_rate=(
                int(total["invited_on_time"]) / int(total["invited_ended"])
                if total["invited_ended"]
                else None
            ),
        )
        for supplier_id, total in sorted(totals.items(), key=lambda item: item[1]["name"])
    ]


def analytics_for(organisation: Organisation, start: date, end: date) -> Analytics:
    period = split_period(*_day_bounds(start, end))
    rows, month_rows, running = _negotiation_rows(organisation, period)
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        for name in (*ENDED_STATUSES, "rounds", "staff_messages", "llm_cost_usd"):
            sums[name] += row[name]
    ended = int(sum(sums[status] for status in ENDED_STATUSES))
    labels = dict(NegotiationStatus.choices)
    mix = sorted((-int(sums[status]), status) for status in ENDED_STATUSES if sums[status])
    money, chart_currency, by_month = _money(rows, month_rows)
    quotes = _quote_figures(organisation, period)
    effort = _running_effort(running)
    return Analytics(
        start=start,
        end=end,
        quotes=quotes["quotes"],
        money=money,
        negotiations_ended=ended,
        negotiations_agreed=int(sums[NegotiationStatus.AGREED]),
        mean_rounds=(sums["rounds"] / ended).quantize(Decimal("0.1")) if ended else None,
        mean_time_to_close=(
            quotes["time_to_close"] / quotes["decided"] if quotes["decided"] else None
        ),
        interventions=int(sums["staff_messages"]) + effort["staff"],
        llm_cost=sums["llm_cost_usd"] + effort["cost"],
        outcome_mix=[(labels[status], -negative) for negative, status in mix],
        savings_by_month=by_month,
        chart_currency=chart_currency,
        suppliers=_suppliers(rows),
    )
