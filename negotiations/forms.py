"""Forms of the negotiation pages; rules shared with the services are asked of the services."""

from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict

from negotiations import services
from negotiations.models import NotificationKind, Quote, SupplierMode
from negotiations.services.notifications import muted_kinds
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


class HoursField(forms.DecimalField):
    """A duration typed in hours (decimals allowed: 0.5 is half an hour), cleaned to a
    ``timedelta``."""

    SECONDS_PER_HOUR = 3600

    def prepare_value(self, value):
        if isinstance(value, timedelta):
            hours = Decimal(value.total_seconds()) / self.SECONDS_PER_HOUR
            return f"{hours.quantize(Decimal('0.0001')).normalize():f}"
        return super().prepare_value(value)

    def clean(self, value) -> timedelta | None:
        hours = super().clean(value)
        if hours is None:
            return None
        return timedelta(seconds=round(float(hours) * self.SECONDS_PER_HOUR))


# From a few seconds (tests, rehearsals) to a month.
REPLY_WINDOW_MIN_HOURS = Decimal("0.001")
REPLY_WINDOW_MAX_HOURS = Decimal(30 * 24)


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
    invite = SupplierChoiceField(
        queryset=Supplier.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Invite these suppliers to answer themselves",
        help_text=(
            "An invited supplier gets an email with a private link and negotiates with Procur's "
            "agent itself, instead of its simulated agent. Pick the three suppliers to invite "
            "any; each needs a contact email."
        ),
    )
    reply_window = HoursField(
        label="Supplier reply deadline (hours)",
        required=False,
        initial=Decimal(48),
        min_value=REPLY_WINDOW_MIN_HOURS,
        max_value=REPLY_WINDOW_MAX_HOURS,
        max_digits=9,
        decimal_places=4,
        help_text=(
            "How long an invited supplier has to answer each message (a reminder at half time; "
            "past it the negotiation ends). Decimals allowed: 0.5 is 30 minutes; blank for 48."
        ),
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
            "reply_window",
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
        active = Supplier.objects.filter(organisation=organisation, is_active=True)
        self.fields["suppliers"].queryset = self.fields["invite"].queryset = active
        self.fields["brand_profile"] = brand_profile_field()

    def clean_reply_window(self) -> timedelta:
        return self.cleaned_data["reply_window"] or Quote._meta.get_field("reply_window").default

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
        if "suppliers" in cleaned and "invite" in cleaned:
            invite_errors = services.invited_supplier_errors(
                suppliers=cleaned["suppliers"], invited=cleaned["invite"]
            )
            for message in invite_errors.get("invite", ()):
                self.add_error("invite", message)
        return cleaned

    def supplier_rows(self) -> list[tuple]:
        """Each active supplier's two checkboxes, side by side: picked, and invited."""
        return list(zip(self["suppliers"], self["invite"], strict=True))


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


class NotificationSettingsForm(forms.Form):
    """The notification kinds a user gets (badge and email): the unticked ones are muted."""

    kinds = forms.MultipleChoiceField(
        label="Tell me when",
        choices=NotificationKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    @classmethod
    def for_user(cls, user, data=None) -> "NotificationSettingsForm":
        muted = set(muted_kinds(user))
        kinds = [kind for kind in NotificationKind.values if kind not in muted]
        return cls(data, initial={"kinds": kinds})

    def muted(self) -> list[str]:
        """The kinds left unticked (valid once ``is_valid()``)."""
        kept = set(self.cleaned_data["kinds"])
        return [kind for kind in NotificationKind.values if kind not in kept]


def clone_initial(source: Quote) -> dict:
    """A new request's form values copied from ``source``: its fields, its suppliers and which
    were invited, and a needed-by date as far from today as the original was from its
    creation."""
    initial = model_to_dict(source, fields=QuoteForm.Meta.fields)
    lead = source.needed_by - source.created_at.date()
    initial["needed_by"] = date.today() + max(lead, timedelta(days=MIN_LEAD_DAYS))
    negotiations = list(source.negotiations.all())
    initial["suppliers"] = [n.supplier_id for n in negotiations]
    initial["invite"] = [
        n.supplier_id for n in negotiations if n.supplier_mode == SupplierMode.INVITED
    ]
    return initial
