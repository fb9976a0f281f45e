"""Every figure of the analytics page, computed in the database (aggregates, no per-row Python),
so the page costs the same handful of queries whatever the number of negotiations.

The period is the quotes *created* in it (dates in the user's time zone). Money figures are per
currency; a quote's figures count once it is awarded, at its awarded negotiation's agreed price.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import (
    Avg,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, TruncMonth
from django.utils import timezone

from negotiations.models import (
    ENDED_STATUSES,
    AgentCall,
    Message,
    Negotiation,
    NegotiationStatus,
    Quote,
    Sender,
)
from procur.accounts.models import Organisation

MONEY = DecimalField(max_digits=18, decimal_places=2)
RATIO = DecimalField(max_digits=12, decimal_places=6)
CENT = Decimal("0.01")
# Baselines of the savings, as the page names them.
BASELINES = {
    "target": "your target price",
    "first_offer": "the supplier's first offer",
    "list_price": "the supplier's list price (as in the directory today)",
}


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


def _with_prices(negotiations: QuerySet[Negotiation]) -> QuerySet[Negotiation]:
    return negotiations.annotate(
        price=Cast(KT("final_terms__unit_price"), MONEY), first_offer=F("first_offer_price")
    )


def _awarded(awarded: QuerySet[Negotiation]) -> tuple[list[Money], str, list]:
    """The money figures per currency, and the savings against target per month in the currency
    with the most spend: one query grouped by currency and month."""
    quantity = F("quote__quantity")

    def saved_against(baseline) -> Sum:
        return Sum(ExpressionWrapper((baseline - F("price")) * quantity, output_field=MONEY))

    rows = list(
        _with_prices(awarded)
        .annotate(month=TruncMonth("quote__created_at"))
        .values("quote__currency", "month")
        .annotate(
            quotes=Count("pk"),
            spend=Sum(ExpressionWrapper(F("price") * quantity, output_field=MONEY)),
            vs_target=saved_against(F("quote__target_price")),
            vs_first=saved_against(F("first_offer")),
            vs_list=saved_against(F("supplier__list_price")),
        )
        .order_by("month")
    )
    totals: dict[str, dict[str, Decimal]] = {}
    for row in rows:
        total = totals.setdefault(row["quote__currency"], defaultdict(Decimal))
        for key in ("quotes", "spend", "vs_target", "vs_first", "vs_list"):
            total[key] += row[key] or 0
    money = sorted(
        (
            Money(
                currency=currency,
                awarded_quotes=int(total["quotes"]),
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
    by_month = [
        (row["month"].date(), _cents(row["vs_target"]))
        for row in rows
        if row["quote__currency"] == currency
    ]
    return money, currency, by_month


def _cents(value: Decimal | None) -> Decimal:
    return (value or Decimal(0)).quantize(CENT)


def _suppliers(negotiations: QuerySet[Negotiation]) -> list[SupplierFigures]:
    agreed = Q(status=NegotiationStatus.AGREED)
    discount = ExpressionWrapper(
        (F("first_offer") - F("price")) * 100 / F("first_offer"), output_field=RATIO
    )
    rows = (
        _with_prices(negotiations)
        .values("supplier_id", "supplier__name")
        .annotate(
            total=Count("pk"),
            deals=Count("pk", filter=agreed),
            awards=Count("pk", filter=Q(award_of__isnull=False)),
            mean_discount=Avg(discount, filter=agreed & Q(first_offer__gt=0)),
        )
        .order_by("supplier__name")
    )
    return [
        SupplierFigures(
            supplier_id=row["supplier_id"],
            name=row["supplier__name"],
            negotiations=row["total"],
            deals=row["deals"],
            awards=row["awards"],
            win_rate=row["awards"] / row["total"] if row["total"] else None,
            mean_discount=(
                row["mean_discount"].quantize(Decimal("0.1"))
                if row["mean_discount"] is not None
                else None
            ),
        )
        for row in rows
    ]


def _running_effort(negotiations: QuerySet[Negotiation]) -> tuple[int, Decimal]:
    """Staff messages and LLM cost of the negotiations still running (few), read live: the
    ended ones' are stored in their summaries."""
    running = negotiations.exclude(status__in=ENDED_STATUSES)
    staff = Message.objects.filter(negotiation__in=running, sender=Sender.STAFF).count()
    cost = AgentCall.objects.filter(negotiation__in=running).aggregate(
        cost=Coalesce(Sum("cost_usd"), Decimal(0), output_field=RATIO)
    )["cost"]
    return staff, cost


def _day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The period as instants in the current time zone: from the start of ``start`` to the
    start of the day after ``end`` (a range the created_at index can serve)."""
    zone = timezone.get_current_timezone()
    first = datetime.combine(start, time.min, tzinfo=zone)
    return first, datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)


def analytics_for(organisation: Organisation, start: date, end: date) -> Analytics:
    since, until = _day_bounds(start, end)
    quotes = Quote.objects.filter(
        organisation=organisation,
        created_at__gte=since,
        created_at__lt=until,
        started_at__isnull=False,
    )
    # The same conditions through the negotiation's own join to its quote (a subquery of quotes
    # would join the quotes twice in the queries that also read the quote's columns).
    negotiations = Negotiation.objects.filter(
        quote__organisation=organisation,
        quote__created_at__gte=since,
        quote__created_at__lt=until,
        quote__started_at__isnull=False,
    )
    ended = negotiations.filter(status__in=ENDED_STATUSES)
    money, chart_currency, by_month = _awarded(negotiations.filter(award_of__isnull=False))
    labels = dict(NegotiationStatus.choices)
    counts = ended.aggregate(
        ended=Count("pk"),
        **{status: Count("pk", filter=Q(status=status)) for status in ENDED_STATUSES},
        rounds=Avg("round"),
        staff=Coalesce(Sum("staff_messages"), 0),
        cost=Coalesce(Sum("llm_cost_usd"), Decimal(0), output_field=RATIO),
    )
    closing = quotes.aggregate(
        quotes=Count("pk"),
        time_to_close=Avg(Coalesce("awarded_at", "closed_at") - F("started_at")),
    )
    mix = sorted((-counts[status], status) for status in ENDED_STATUSES if counts[status])
    running_staff, running_cost = _running_effort(negotiations)
    return Analytics(
        start=start,
        end=end,
        quotes=closing["quotes"],
        money=money,
        negotiations_ended=counts["ended"],
        negotiations_agreed=counts[NegotiationStatus.AGREED],
        mean_rounds=(
            Decimal(counts["rounds"]).quantize(Decimal("0.1")) if counts["rounds"] else None
        ),
        mean_time_to_close=closing["time_to_close"],
        interventions=counts["staff"] + running_staff,
        llm_cost=counts["cost"] + running_cost,
        outcome_mix=[(labels[status], -negative) for negative, status in mix],
        savings_by_month=by_month,
        chart_currency=chart_currency,
        suppliers=_suppliers(negotiations),
    )
