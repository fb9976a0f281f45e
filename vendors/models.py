"""Suppliers: who Procur negotiates with, and the profile their agent bargains from."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from procur.accounts.models import Organisation


class Temperament(models.TextChoices):
    """How a supplier's agent negotiates (the engine's supplier temperaments)."""

    HARDBALL = "hardball", "Hardball: concedes late and little"
    BALANCED = "balanced", "Balanced"
    FLEXIBLE = "flexible", "Flexible: concedes early"
    RELATIONSHIP = "relationship", "Relationship: trades terms for a long-term account"


class Supplier(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="suppliers"
    )
    name = models.CharField(max_length=200)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    categories = models.JSONField(
        default=list, blank=True, help_text="Product categories it supplies, e.g. ['bottles']."
    )
    currency = models.CharField(max_length=3, default="USD")
    list_price = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="Its opening unit price.",
    )
    cost_floor = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="The lowest unit price it will ever accept (a hard limit of its agent).",
    )
    fastest_lead_time_days = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    capacity = models.PositiveIntegerField(
        validators=[MinValueValidator(1)], help_text="Units it can deliver for one order."
    )
    preferred_payment_terms_days = models.PositiveIntegerField(default=30)
    warranty_months = models.PositiveIntegerField(default=12)
    reliability = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=Decimal("4.00"),
        validators=[MinValueValidator(0), MaxValueValidator(5)],
        help_text="Rating from 0 to 5.",
    )
    temperament = models.CharField(
        max_length=20, choices=Temperament.choices, default=Temperament.BALANCED
    )
    is_active = models.BooleanField(default=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Every edit, with who made it (the quote pages show edits made while a quote was open).
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="supplier_unique_name"),
            models.CheckConstraint(
                condition=models.Q(cost_floor__lte=models.F("list_price")),
                name="supplier_floor_below_list_price",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="supplier_capacity_at_least_one"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def supplies(self, category: str) -> bool:
        return category.strip().lower() in {c.strip().lower() for c in self.categories}
