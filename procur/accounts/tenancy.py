"""Organisation scoping: the one place that decides which rows a user may see."""

from typing import TypeVar

from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404

M = TypeVar("M", bound=Model)


def scope_to_user(queryset: QuerySet[M], user, field: str = "organisation") -> QuerySet[M]:
    """Rows of the user's organisation; none for a user without one (superusers use the admin)."""
    if user.is_authenticated and user.organisation_id is not None:
        return queryset.filter(**{f"{field}_id": user.organisation_id})
    return queryset.none()


def get_for_user(queryset: QuerySet[M], user, pk, field: str = "organisation") -> M:
    """One row of the user's organisation, or 404: another organisation's object never leaks."""
    return get_object_or_404(scope_to_user(queryset, user, field), pk=pk)
