"""The analytics figures as sums, and the daily summary rows that store them.

Each figure is defined once, as an aggregate over negotiations (or quotes): the same expressions
write a day's summary rows and read, live, what the rows do not hold yet (negotiations still
running, quotes still negotiating, the partial days at the edges of a period).

A day's rows are recomputed whole from its negotiations and quotes, inside the transaction that
changed them (``negotiations.signals.quote_figures_changed``): recomputing is idempotent, a
second event of the same day simply recomputes again, and a lock per organisation and day keeps
two concurrent recomputes from writing stale figures.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import (
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    Model,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, TruncDate

from negotiations.models import (
    ENDED_STATUSES,
    Negotiation,
    NegotiationStatus,
    Quote,
    QuoteStatus,
    SupplierMode,
)
from records.models import DailyQuoteSummary, DailySummary

MONEY = DecimalField(max_digits=20, decimal_places=2)
RATIO = DecimalField(max_digits=20, decimal_places=6)
ZERO = Decimal(0)

_ENDED = Q(status__in=ENDED_STATUSES)
_AWARDED = Q(award_of__isnull=False)
_DISCOUNTED = Q(status=NegotiationStatus.AGREED, first_offer_price__gt=0)
_INVITED_ENDED = _ENDED & Q(supplier_mode=SupplierMode.INVITED)


def _money(expression) -> ExpressionWrapper:
    return ExpressionWrapper(expression * F("quote__quantity"), output_field=MONEY)


def _discount() -> ExpressionWrapper:
    """Percent off the first offer: (first - agreed) x 100 / first."""
    return ExpressionWrapper(
        (F("first_offer_price") - F("price")) * 100 / F("first_offer_price"), output_field=RATIO
    )


def negotiation_sums() -> dict:
    """The figures of a group of negotiations, named as :class:`DailySummary`'s fields (over a
    queryset annotated by :func:`with_price`)."""
    return {
        "negotiations": Count("pk"),
        **{status: Count("pk", filter=Q(status=status)) for status in ENDED_STATUSES},
        "invited_ended": Count("pk", filter=_INVITED_ENDED),
        "invited_on_time": Count(
            "pk", filter=_INVITED_ENDED & ~Q(status=NegotiationStatus.NO_REPLY)
        ),
        "rounds": Coalesce(Sum("round", filter=_ENDED), 0),
        "staff_messages": Coalesce(Sum("staff_messages", filter=_ENDED), 0),
        "llm_cost_usd": Coalesce(Sum("llm_cost_usd", filter=_ENDED), ZERO, output_field=RATIO),
        "awards": Count("pk", filter=_AWARDED),
        "awarded_quantity": Coalesce(
            Sum("quote__quantity", filter=_AWARDED & Q(price__isnull=False)), 0
        ),
        "spend": Coalesce(Sum(_money(F("price")), filter=_AWARDED), ZERO, output_field=MONEY),
        "savings_vs_target": Coalesce(
            Sum(_money(F("quote__target_price") - F("price")), filter=_AWARDED),
            ZERO,
            output_field=MONEY,
        ),
        "savings_vs_first_offer": Coalesce(
            Sum(_money(F("first_offer_price") - F("price")), filter=_AWARDED),
            ZERO,
            output_field=MONEY,
        ),
        "discount_sum": Coalesce(Sum(_discount(), filter=_DISCOUNTED), ZERO, output_field=RATIO),
        "discounts": Count(_discount(), filter=_DISCOUNTED),
    }


def with_price(negotiations: QuerySet[Negotiation]) -> QuerySet[Negotiation]:
    """The agreed unit price as a number (``price``), which the sums read."""
    return negotiations.annotate(price=Cast(KT("final_terms__unit_price"), MONEY))


def _time_to_close() -> ExpressionWrapper:
    return ExpressionWrapper(
        Coalesce("awarded_at", "closed_at") - F("started_at"), output_field=DurationField()
    )


def quote_sums() -> dict:
    """The figures of a group of started quotes, named as :class:`DailyQuoteSummary`'s fields."""
    return {
        "quotes": Count("pk"),
        "decided": Count(_time_to_close()),
        "time_to_close": Coalesce(
            Sum(_time_to_close()), timedelta(0), output_field=DurationField()
        ),
    }


# --- The daily rows ------------------------------------------------------------------------------


def day_of(instant: datetime) -> date:
    """The summary day of a quote created at ``instant``: its UTC date."""
    return instant.astimezone(UTC).date()


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _fields(model: type[Model], sums: dict) -> dict:
    """The sums the model (perhaps a migration's historical model) has fields for."""
    names = {field.name for field in model._meta.get_fields()}
    return {name: expression for name, expression in sums.items() if name in names}


def _lock_day(organisation_id: int, day: date) -> None:
    """Serialise recomputes of one organisation's day until the transaction ends (SQLite
    serialises every writing transaction already)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            key = [organisation_id, day.toordinal()]
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", key)


def _write_day(
    organisation_id: int,
    day: date,
    *,
    models: tuple[type[Model], type[Model], type[Model], type[Model]],
) -> None:
    summary, quote_summary, negotiation_model, quote_model = models
    since, until = day_start(day), day_start(day + timedelta(days=1))
    key = {"organisation_id": organisation_id, "day": day}
    summary.objects.filter(**key).delete()
    quote_summary.objects.filter(**key).delete()
    ended = negotiation_model.objects.filter(
        quote__organisation_id=organisation_id,
        quote__created_at__gte=since,
        quote__created_at__lt=until,
        status__in=ENDED_STATUSES,
    )
    rows = (
        with_price(ended)
        .values("supplier_id", currency=F("quote__currency"))
        .annotate(**_fields(summary, negotiation_sums()))
        .order_by()
    )
    summary.objects.bulk_create(summary(**key, **row) for row in rows)
    decided = quote_model.objects.filter(
        organisation_id=organisation_id,
        created_at__gte=since,
        created_at__lt=until,
        started_at__isnull=False,
    ).exclude(status=QuoteStatus.NEGOTIATING)
    figures = decided.aggregate(**_fields(quote_summary, quote_sums()))
    if figures["quotes"]:
        quote_summary.objects.create(**key, **figures)


LIVE_MODELS = (DailySummary, DailyQuoteSummary, Negotiation, Quote)


def summaries_recompute(*, organisation_id: int, day: date) -> None:
    """Rewrite one organisation's summary rows of one day from its negotiations and quotes."""
    with transaction.atomic():
        _lock_day(organisation_id, day)
        _write_day(organisation_id, day, models=LIVE_MODELS)


def summaries_rebuild(
    *, organisations: Iterable[int] | None = None, models: tuple = LIVE_MODELS
) -> int:
    """Recompute every day of these organisations' quotes (all organisations: None); the
    backfill and the repair after a bulk change. Returns the days written."""
    quote_model = models[3]
    quotes = quote_model.objects.filter(started_at__isnull=False)
    if organisations is not None:
        quotes = quotes.filter(organisation_id__in=list(organisations))
    days = (
        quotes.annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values_list("organisation_id", "day")
        .distinct()
        .order_by("organisation_id", "day")
    )
    written = 0
    for organisation_id, day in days.iterator():
        with transaction.atomic():
            _lock_day(organisation_id, day)
            _write_day(organisation_id, day, models=models)
        written += 1
    return written


def backfill(apps, schema_editor) -> None:
    """RunPython of the migrations that add summary figures: every day recomputed, with the
    migration's historical models (figures a later migration adds are left out)."""
    names = ("DailySummary", "DailyQuoteSummary")
    summaries_rebuild(
        models=(
            *(apps.get_model("records", name) for name in names),
            apps.get_model("negotiations", "Negotiation"),
            apps.get_model("negotiations", "Quote"),
        )
    )


def on_quote_figures_changed(sender, *, quote: Quote, **kwargs) -> None:
    """Receiver of ``negotiations.signals.quote_figures_changed`` (connected in apps.py)."""
    summaries_recompute(organisation_id=quote.organisation_id, day=day_of(quote.created_at))
