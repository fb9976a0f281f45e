"""The supplier directory's form."""

from django import forms

from procur.accounts.models import Organisation
from vendors.models import Supplier


class SupplierForm(forms.ModelForm):
    categories = forms.CharField(
        required=False,
        help_text="Comma-separated, e.g. bottles, packaging.",
    )

    class Meta:
        model = Supplier
        fields = [
            "name",
            "contact_name",
            "contact_email",
            "categories",
            "currency",
            "list_price",
            "cost_floor",
            "fastest_lead_time_days",
            "capacity",
            "preferred_payment_terms_days",
            "warranty_months",
            "reliability",
            "temperament",
            "is_active",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        if self.instance.pk:
            self.initial["categories"] = ", ".join(self.instance.categories)

    def clean_categories(self) -> list[str]:
        raw = self.cleaned_data["categories"]
        return [c.strip() for c in raw.split(",") if c.strip()]

    def clean_name(self) -> str:
        # The (organisation, name) constraint is not checked by the ModelForm, because
        # organisation is not one of its fields: check it here rather than fail on save.
        name = self.cleaned_data["name"].strip()
        others = Supplier.objects.filter(organisation=self.instance.organisation, name__iexact=name)
        if others.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Your directory already has a supplier with this name.")
        return name

    def clean(self) -> dict:
        cleaned = super().clean()
        floor, price = cleaned.get("cost_floor"), cleaned.get("list_price")
        if floor is not None and price is not None and floor > price:
            self.add_error("cost_floor", "The cost floor cannot be above the list price.")
        return cleaned
