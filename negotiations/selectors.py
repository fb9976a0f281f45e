"""Reads: querysets scoped to the user's organisation, with their relations already loaded."""

from django.db.models import QuerySet

from negotiations.models import Quote
from procur.accounts.tenancy import scope_to_user


def quotes_for_user(user) -> QuerySet[Quote]:
    return scope_to_user(Quote.objects.all(), user).prefetch_related("negotiations__supplier")
