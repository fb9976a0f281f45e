import time

import pytest

from negotiations import services
from negotiations.models import ENDED_STATUSES, Negotiation, Quote
from tests.factories import QuoteFactory, SupplierFactory
from vendors.models import Temperament


@pytest.fixture
def suppliers(organisation):
    return [
        SupplierFactory(organisation=organisation, name=name, temperament=temperament)
        for name, temperament in [
            ("Pacific Glassworks", Temperament.HARDBALL),
            ("Northwind Packaging", Temperament.BALANCED),
            ("Lumen Bottle Co.", Temperament.FLEXIBLE),
        ]
    ]


@pytest.fixture
def quote(organisation, user):
    """A quote whose agents never ask staff (the tests of questions give it a budget)."""
    return QuoteFactory(organisation=organisation, created_by=user, question_budget=0)


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.1):
    """Poll the database until ``predicate()`` is truthy; fail with what was last seen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


def all_ended(quote: Quote) -> bool:
    return all(n.status in ENDED_STATUSES for n in Negotiation.objects.filter(quote=quote))


def play(negotiation: Negotiation, turns: int) -> Negotiation:
    """Play the next ``turns`` turns in order, as the worker would."""
    for _ in range(turns):
        negotiation.refresh_from_db()
        services.turn_run(negotiation_id=negotiation.pk, turn=negotiation.turns_taken + 1)
    negotiation.refresh_from_db()
    return negotiation
