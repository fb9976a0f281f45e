"""Two organisations: ours (``A``, whose people make the requests) and theirs (``B``, whose rows
must never reach A). Every text of B's rows carries ``CANARY``, so a leak shows in any body."""

import hashlib
from dataclasses import dataclass

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db.models import Model

from negotiations.models import (
    AgentCall,
    Invitation,
    Message,
    Negotiation,
    Notification,
    NotificationKind,
    Quote,
    QuoteStatus,
    SupplierMode,
)
from procur.accounts.models import Organisation, User
from tests.factories import (
    AgentCallFactory,
    MessageFactory,
    NegotiationFactory,
    OrganisationFactory,
    QuoteFactory,
    SupplierFactory,
    UserFactory,
)
from vendors.models import Supplier

CANARY = "CANARY-7f3e9b"


@dataclass
class Tenant:
    """One organisation's rows: one object of every model the URLs take ids of."""

    organisation: Organisation
    user: User
    supplier: Supplier
    quote: Quote
    negotiation: Negotiation
    message: Message
    agent_call: AgentCall
    group: Group
    notification: Notification

    def object_of(self, model: type[Model]) -> Model:
        for value in vars(self).values():
            if type(value) is model:
                return value
        raise LookupError(f"no {model.__name__} in the fixture: add one to `tenant()`")


def tenant(label: str) -> Tenant:
    organisation = OrganisationFactory(name=f"{label} Org")
    user = UserFactory(organisation=organisation, username=f"{label.lower()}-buyer")
    supplier = SupplierFactory(
        organisation=organisation,
        name=f"{label} Glassworks",
        contact_email=f"sales@{label.lower()}.example",
    )
    quote = QuoteFactory(
        organisation=organisation,
        created_by=user,
        product=f"{label} bottle",
        status=QuoteStatus.NEGOTIATING,
    )
    # Invited: its room shows the invitation panel (contact email and links) and the form to
    # write to the supplier, which must no more reach another organisation than the rest.
    negotiation = NegotiationFactory(
        quote=quote, supplier=supplier, slot=1, supplier_mode=SupplierMode.INVITED
    )
    Invitation.objects.create(
        negotiation=negotiation,
        token_hash=hashlib.sha256(label.encode()).hexdigest(),
        email=supplier.contact_email,
        send_error=f"{label} mail server refused",
    )
    message = MessageFactory(negotiation=negotiation, seq=1, text=f"{label} opening offer")
    return Tenant(
        organisation=organisation,
        user=user,
        supplier=supplier,
        quote=quote,
        negotiation=negotiation,
        message=message,
        agent_call=AgentCallFactory(negotiation=negotiation),
        group=Group.objects.create(name=f"{label} group"),
        notification=Notification.objects.create(
            user=user,
            kind=NotificationKind.QUESTION,
            quote=quote,
            negotiation=negotiation,
            text=f"{label} brand agent asks about partial shipments",
        ),
    )


@pytest.fixture
def ours(db) -> Tenant:
    return tenant("Ours")


@pytest.fixture
def theirs(db) -> Tenant:
    """The other organisation; its names carry the canary."""
    return tenant(CANARY)


@pytest.fixture
def our_staff(ours) -> User:
    """Staff of our organisation with the operations page and every domain permission in the
    admin (but not a superuser): the most a customer's user can hold."""
    staff = UserFactory(organisation=ours.organisation, is_staff=True, username="ours-staff")
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=["negotiations", "vendors", "accounts", "ops"]
        )
    )
    # A notification opens for its own user alone: the control requests (as this user) reach
    # ours because it is theirs.
    Notification.objects.filter(pk=ours.notification.pk).update(user=staff)
    return staff


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> None:
    """No count from an earlier run: the test database starts its ids again each session, so
    yesterday's user 5 would find today's user 5's window half used."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter("procur:ratelimit:*"):
        client.delete(key)
