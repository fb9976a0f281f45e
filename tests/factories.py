"""factory_boy factories for the domain; `.build()` where no database is needed."""

from datetime import date, timedelta
from decimal import Decimal

import factory

from negotiations.models import Quote
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
