"""Forms of the negotiation pages; rules shared with the services are asked of the services."""

from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict

from negotiations import services
from negotiations.models import Quote
from negotiations.services.quotes import MIN_LEAD_DAYS
from vendors.models import Supplier

# The database's integer range: a larger id is no supplier, and querying with it fails
# (SQLite raises OverflowError, PostgreSQL an out-of-range error) instead of finding nothing.
MAX_ID = 2**63 - 1


class SupplierChoiceField(forms.ModelMultipleChoiceField):
    """Supplier ids from the form; an id beyond the database's range is an invalid choice."""

    def _check_values(self, value):
        for pk in value:
            try:
                out_of_range = abs(int(pk)) > MAX_ID
            except (TypeError, ValueError):
                continue  # not a number: Django's own check says so
            if out_of_range:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


def brand_profile_field() -> forms.ChoiceField:
    """The negotiating profile as a list of choices, one sentence each (quote form and admin)."""
    return forms.ChoiceField(
        label="Negotiating profile",
        choices=services.brand_profile_choices(),
        required=False,
        initial="",
        widget=forms.RadioSelect,
    )


class QuoteForm(forms.ModelForm):
    suppliers = SupplierChoiceField(
        queryset=Supplier.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Pick three, or none to let Procur shortlist the best fits.",
    )

    class Meta:
        model = Quote
        fields = [
            "product",
            "category",
            "description",
            "quantity",
            "unit",
            "currency",
            "target_price",
            "max_price",
            "needed_by",
            "weight_price",
            "weight_lead_time",
            "weight_payment_terms",
            "brand_profile",
            "requirements",
            "max_rounds",
            "question_budget",
        ]
        widgets = {
            "needed_by": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 2}),
            "requirements": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "target_price": "Target unit price",
            "max_price": "Maximum unit price",
            "weight_price": "Price weight",
            "weight_lead_time": "Lead-time weight",
            "weight_payment_terms": "Payment-terms weight",
            "question_budget": "Questions the agents may ask",
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        self.fields["suppliers"].queryset = Supplier.objects.filter(
            organisation=organisation, is_active=True
        )
        self.fields["brand_profile"] = brand_profile_field()

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()

    def clean(self) -> dict:
        cleaned = super().clean()
        draft = Quote(
            organisation=self.instance.organisation,
            **{name: cleaned.get(name) for name in self._meta.fields},
        )
        # The service decides what a negotiable quote is; the form shows its verdict inline.
        for field, messages in services.quote_validation_errors(quote=draft).items():
            if field in self.errors:
                continue
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
        return cleaned


class InterventionForm(forms.Form):
    """Guidance or an answer; ``client_id`` makes a re-sent form count once."""

    text = forms.CharField(
        max_length=2000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "e.g. push for 45-day payment"}),
    )
    # Room for the ":<slot>" suffix quote-wide guidance adds per negotiation (column: 64).
    client_id = forms.CharField(max_length=60, required=False, widget=forms.HiddenInput)


class AwardForm(forms.Form):
    negotiation = forms.IntegerField(min_value=1)


def clone_initial(source: Quote) -> dict:
    """A new request's form values copied from ``source``: its fields, its suppliers, and a
    needed-by date as far from today as the original was from its creation."""
    initial = model_to_dict(source, fields=QuoteForm.Meta.fields)
    lead = source.needed_by - source.created_at.date()
    initial["needed_by"] = date.today() + max(lead, timedelta(days=MIN_LEAD_DAYS))
    initial["suppliers"] = [n.supplier_id for n in source.negotiations.all()]
    return initial
