import pytest
from django.contrib.auth.models import Group, Permission

from negotiations.models import NegotiationStatus, Notification, NotificationKind, QuoteStatus
from tests.factories import NegotiationFactory, QuoteFactory, UserFactory


@pytest.fixture
def quote(organisation, user):
    return QuoteFactory(
        organisation=organisation,
        created_by=user,
        product="Amber bottle",
        status=QuoteStatus.NEGOTIATING,
    )


@pytest.fixture
def negotiation(quote):
    return NegotiationFactory(
        quote=quote, slot=1, status=NegotiationStatus.WAITING_FOR_STAFF, supplier__name="Vetro"
    )


@pytest.fixture
def approvers_group():
    group = Group.objects.create(name="Approvers")
    group.permissions.add(Permission.objects.get(codename="approve_awards"))
    return group


def colleague(organisation, name: str, **fields):
    return UserFactory(
        organisation=organisation, username=name, email=f"{name}@brand.example", **fields
    )


def notification_for(user, quote, **fields) -> Notification:
    return Notification.objects.create(
        user=user,
        quote=quote,
        kind=fields.pop("kind", NotificationKind.QUESTION),
        text=fields.pop("text", "The brand agent asks: can you take partial shipments?"),
        **fields,
    )
