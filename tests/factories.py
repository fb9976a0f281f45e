"""factory_boy factories for the domain; `.build()` where no database is needed."""

from datetime import date, timedelta
from decimal import Decimal

import factory

from negotiations.models import (
    AgentCall,
    Message,
    Negotiation,
    NegotiationStatus,
    Quote,
    Sender,
    message_audience,
)
from procur.accounts.models import Organisation, User
from vendors.models import Supplier, Temperament


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"buyer{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Supplier {n}")
    categories = factory.LazyFunction(lambda: ["bottles"])
    list_price = Decimal("2.50")
    cost_floor = Decimal("1.70")
    fastest_lead_time_days = 20
    capacity = 20000
    preferred_payment_terms_days = 30
    temperament = Temperament.BALANCED


class QuoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quote

    organisation = factory.SubFactory(OrganisationFactory)
    created_by = factory.SubFactory(
        UserFactory, organisation=factory.SelfAttribute("..organisation")
    )
    product = "Custom 500 ml amber glass bottle"
    category = "bottles"
    quantity = 5000
    target_price = Decimal("1.95")
    max_price = Decimal("2.40")
    needed_by = factory.LazyFunction(lambda: date.today() + timedelta(days=60))
    max_rounds = 8


class NegotiationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Negotiation

    quote = factory.SubFactory(QuoteFactory)
    supplier = factory.SubFactory(
        SupplierFactory, organisation=factory.SelfAttribute("..quote.organisation")
    )
    slot = factory.Sequence(lambda n: n % 3 + 1)
    status = NegotiationStatus.ACTIVE


class MessageFactory(factory.django.DjangoModelFactory):
    """A transcript line; give ``seq`` explicitly when order matters."""

    class Meta:
        model = Message

    negotiation = factory.SubFactory(NegotiationFactory)
    seq = factory.Sequence(lambda n: n + 1)
    round = 1
    sender = Sender.SUPPLIER
    action = "propose"
    audience = factory.LazyAttribute(lambda m: message_audience(m.sender, m.action))
    text = "We can offer 2.40 per unit."
    terms = factory.LazyFunction(
        lambda: {
            "unit_price": "2.40",
            "quantity": 5000,
            "lead_time_days": 21,
            "payment_terms_days": 30,
            "warranty_months": 12,
            "currency": "USD",
        }
    )


class AgentCallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgentCall

    negotiation = factory.SubFactory(NegotiationFactory)
    turn = 1
    side = Sender.BRAND
    voice = "scripted"
    input_tokens = 1200
    output_tokens = 300
    cost_usd = Decimal("0.008100")
