"""The period an analytics page covers: a start and end date, validated, with a default."""

from datetime import date, timedelta

from django import forms
from django.utils import timezone

DEFAULT_DAYS = 90
MAX_DAYS = 366 * 5


class PeriodForm(forms.Form):
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError("The start of the period must be on or before its end.")
        if start and end and (end - start).days > MAX_DAYS:
            raise forms.ValidationError("Choose a period of at most five years.")
        return cleaned

    def period(self) -> tuple[date, date]:
        """The chosen period, or the last 90 days (up to today) for what is missing or invalid."""
        today = timezone.localdate()
        valid = self.is_bound and self.is_valid()
        end = (self.cleaned_data.get("end") if valid else None) or today
        start = (self.cleaned_data.get("start") if valid else None) or end - timedelta(
            days=DEFAULT_DAYS - 1
        )
        return start, end
