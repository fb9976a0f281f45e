"""Fixtures for operations tests: negotiations in a chosen state, operators and superusers."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from negotiations.models import AgentCall, Message, Negotiation, NegotiationStatus, QuoteStatus
from tests.factories import QuoteFactory, SupplierFactory, UserFactory


def make_negotiation(organisation, *, status=NegotiationStatus.ACTIVE, idle_seconds=0, **fields):
    """A negotiation of a negotiating quote, last active ``idle_seconds`` ago."""
    quote = QuoteFactory(organisation=organisation, status=QuoteStatus.NEGOTIATING)
    return Negotiation.objects.create(
        quote=quote,
        supplier=SupplierFactory(organisation=organisation),
        slot=1,
        status=status,
        last_activity_at=timezone.now() - timedelta(seconds=idle_seconds),
        **fields,
    )


def add_turn(negotiation, *, turn, latency_ms=400, input_tokens=1000, output_tokens=200):
    """One played turn: a brand message and its agent-call trace."""
    Message.objects.create(
        negotiation=negotiation, seq=turn, round=turn, sender="brand", action="counter", text="x"
    )
    return AgentCall.objects.create(
        negotiation=negotiation,
        turn=turn,
        side="brand",
        voice="anthropic",
        model="claude-sonnet-4-5",
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cost_usd=Decimal("0.006"),
        latency_ms=latency_ms,
    )


@pytest.fixture
def operator(organisation):
    """Staff of `organisation` allowed to see the operations page."""
    user = UserFactory(organisation=organisation, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_operations"))
    return user


@pytest.fixture
def org_admin(organisation):
    """Staff of `organisation` with every permission on the domain models, but not a superuser."""
    user = UserFactory(organisation=organisation, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=["negotiations", "vendors", "accounts"]
        )
    )
    return user


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", "x")
