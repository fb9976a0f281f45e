"""The supplier's three replies as forms: every figure checked field by field, with the engine's
bounds, before a service sees it. The services check again (and decide whose turn it is)."""

import uuid
from datetime import timedelta
from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.formats import date_format

from negotiations.engine import PAYMENT_TERMS_DAYS, Terms
from negotiations.engine.terms import MAX_UNIT_PRICE, UPPER_BOUNDS
from negotiations.models import Quote
from negotiations.services.transcript import MAX_TEXT

CENT = Decimal("0.01")


def payment_terms_label(days: int) -> str:
    return "Paid on delivery" if days == 0 else f"Net {days} days"


def duration_field(what: str, unit: str, bound: str, *, required: str) -> forms.IntegerField:
    """Whole ``unit`` from 0 to the engine's bound for ``bound`` (beyond it: no real offer)."""
    maximum = UPPER_BOUNDS[bound]
    return forms.IntegerField(
        label=f"{what.capitalize()} ({unit})",
        min_value=0,
        max_value=maximum,
        error_messages={
            "required": required,
            "invalid": f"Enter the {what} as a whole number of {unit}.",
            "min_value": f"The {what} cannot be negative.",
            "max_value": f"A {what} of more than {maximum:,} {unit} is no offer: check the figure.",
        },
    )


def message_field(*, rows: int) -> forms.CharField:
    return forms.CharField(
        label="Message to the buyer (optional)",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": f"Keep your message under {MAX_TEXT:,} characters."},
    )


class ReplyForm(forms.Form):
    """A reply posted once: ``client_id`` is minted with the form, so a double submit (or a
    retry after a lost response) carries the same id and is stored once.

    Each field's help and error are linked to it (``aria-describedby``), and the first invalid
    field gets the focus when the form comes back with errors.
    """

    ID_PREFIX = "reply"

    client_id = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"{self.ID_PREFIX}-%s")
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_id", uuid.uuid4().hex)
        self.describe_errors()

    def full_clean(self) -> None:
        super().full_clean()
        self.describe_errors()

    def describe_errors(self) -> None:
        """Link each field to its help and error; autofocus the first invalid one. Reads the
        errors only once the form is cleaned (reading them would clean it too early)."""
        errors = self._errors or {}
        focus = False
        for name, field in self.fields.items():
            if field.widget.is_hidden:
                continue
            widget_id = self.auto_id % name
            described_by = [f"{widget_id}-help"] if field.help_text else []
            if name in errors:
                described_by.append(f"{widget_id}-error")
                if not focus:
                    field.widget.attrs["autofocus"] = True
                    focus = True
            if described_by:
                field.widget.attrs["aria-describedby"] = " ".join(described_by)


class CounterForm(ReplyForm):
    ID_PREFIX = "counter"

    unit_price = forms.DecimalField(
        label="Unit price",
        min_value=CENT,
        max_value=MAX_UNIT_PRICE,
        max_digits=12,
        decimal_places=2,
        error_messages={
            "required": "Enter your unit price.",
            "invalid": "Enter the unit price as a number, e.g. 2.35.",
            "min_value": "Enter a unit price above zero.",
            "max_value": "That price is beyond any real offer: check the figure.",
            "max_decimal_places": "Give the price in cents at most (two decimals).",
            "max_digits": "That price is beyond any real offer: check the figure.",
        },
    )
    quantity = forms.IntegerField(
        label="Quantity",
        min_value=1,
        error_messages={
            "required": "Enter the quantity you can supply.",
            "invalid": "Enter a whole number of units.",
            "min_value": "Offer at least one unit.",
        },
    )
    lead_time_days = duration_field(
        "lead time", "days", "lead_time_days", required="Enter your lead time in days."
    )
    payment_terms_days = forms.TypedChoiceField(
        label="Payment terms",
        coerce=int,
        choices=[(days, payment_terms_label(days)) for days in PAYMENT_TERMS_DAYS],
        error_messages={"invalid_choice": "Choose payment terms from the list."},
    )
    warranty_months = duration_field(
        "warranty",
        "months",
        "warranty_months",
        required="Enter the warranty in months (0 for none).",
    )
    message = message_field(rows=3)
    confirm_late = forms.BooleanField(
        label="Send it anyway: I cannot deliver by the needed-by date",
        required=False,
    )

    def __init__(self, *args, quote: Quote, **kwargs) -> None:
        self.quote = quote
        self.late_warning = ""
        super().__init__(*args, **kwargs)
        quantity = self.fields["quantity"]
        quantity.max_value = quote.quantity
        quantity.validators.append(MaxValueValidator(quote.quantity))
        quantity.widget.attrs["max"] = quote.quantity
        quantity.error_messages["max_value"] = (
            f"The buyer asks for {quote.quantity:,} {quote.unit}: offer that many or fewer."
        )
        quantity.help_text = (
            f"The buyer asks for {quote.quantity:,} {quote.unit}; fewer is a partial offer."
        )
        if not self.is_bound and self.initial.get("quantity") is None:
            self.initial["quantity"] = quote.quantity
        self.describe_errors()

    def clean(self) -> dict:
        data = super().clean()
        lead_time = data.get("lead_time_days")
        if lead_time is not None:
            arrives = timezone.localdate() + timedelta(days=lead_time)
            if arrives > self.quote.needed_by:
                self.late_warning = (
                    f"With {lead_time} days of lead time the order would arrive around "
                    f"{date_format(arrives)}, after the buyer's needed-by date "
                    f"({date_format(self.quote.needed_by)})."
                )
                if not data.get("confirm_late"):
                    self.add_error(
                        "lead_time_days",
                        self.late_warning + " Tick “Send it anyway” below to send it as it is.",
                    )
        return data

    @property
    def partial(self) -> bool:
        quantity = self.cleaned_data.get("quantity") if self.is_bound else None
        return quantity is not None and quantity < self.quote.quantity

    def terms(self) -> Terms:
        data = self.cleaned_data
        return Terms(
            unit_price=data["unit_price"],
            quantity=data["quantity"],
            lead_time_days=data["lead_time_days"],
            payment_terms_days=data["payment_terms_days"],
            warranty_months=data["warranty_months"],
            currency=self.quote.currency,
        )


class AcceptForm(ReplyForm):
    ID_PREFIX = "accept"

    offer = forms.CharField(widget=forms.HiddenInput, required=False)
    message = message_field(rows=2)


class DeclineForm(ReplyForm):
    ID_PREFIX = "decline"

    reason = forms.CharField(
        label="Why are you declining?",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": "Tell the buyer why you decline (a sentence is enough).",
            "max_length": f"Keep your reason under {MAX_TEXT:,} characters.",
        },
    )
