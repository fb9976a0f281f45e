"""Summary rows of the analytics page: one organisation's figures for one day of quotes.

A day is the UTC date a quote was created. The rows hold sums and counts, never averages, so any
run of days adds up; ``records/analytics/summaries.py`` recomputes a day's rows whenever a
negotiation or a quote of that day changes its figures, and the page adds what is still
running, read live.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import models

from procur.accounts.models import Organisation
from vendors.models import Supplier


def _count() -> models.PositiveIntegerField:
    return models.PositiveIntegerField(default=0)


def _money() -> models.DecimalField:
    return models.DecimalField(max_digits=20, decimal_places=2, default=Decimal(0))


class DailySummary(models.Model):
    """The ended negotiations of one day's quotes with one supplier, in one currency."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="+")
    currency = models.CharField(max_length=3)
    negotiations = _count()
    # One count per ended status (the outcome mix); their sum is the negotiations ended.
    agreed = _count()
    impasse = _count()
    walked_away = _count()
    cancelled = _count()
    failed = _count()
    no_reply = _count()
    # Invited (real) suppliers: their ended negotiations, and those that did not end for want of
    # a reply (the on-time reply rate).
    invited_ended = _count()
    invited_on_time = _count()
    rounds = _count()
    staff_messages = _count()
    llm_cost_usd = models.DecimalField(max_digits=16, decimal_places=6, default=Decimal(0))
    # The awarded negotiations: how many, what they cost, what they saved against the target
    # and the first offer, and the units they bought (the list price is read as it is today).
    awards = _count()
    awarded_quantity = models.PositiveBigIntegerField(default=0)
    spend = _money()
    savings_vs_target = _money()
    savings_vs_first_offer = _money()
    # The agreed negotiations' percentages off the first offer, summed, and how many there are.
    discount_sum = models.DecimalField(max_digits=20, decimal_places=6, default=Decimal(0))
    discounts = _count()

    class Meta:
        verbose_name_plural = "daily summaries"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "day", "supplier", "currency"],
                name="daily_summary_unique_row",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.supplier_id} {self.currency}"


class DailyQuoteSummary(models.Model):
    """The quotes of one day that have left negotiation (awaiting approval, awarded, closed or
    cancelled): how many, and the time from start to decision of those decided."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    quotes = _count()
    decided = _count()
    time_to_close = models.DurationField(default=timedelta(0))

    class Meta:
        verbose_name_plural = "daily quote summaries"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "day"], name="daily_quote_summary_unique_row"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.organisation_id}"
