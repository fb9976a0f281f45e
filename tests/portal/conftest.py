"""An invited supplier's negotiation with its link, the brand's opening played, and entries the
supplier must never see (each carries a canary, so a leak shows in any page or frame)."""

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client

from negotiations import services
from negotiations.models import (
    RUNNING_STATUSES,
    Message,
    Negotiation,
    NegotiationStatus,
    Quote,
    Sender,
)
from negotiations.services.invitations import invitation_issue
from negotiations.services.transcript import append_message, lock_negotiation
from tests.factories import QuoteFactory, SupplierFactory
from tests.figures import shows_figure
from tests.orchestration.conftest import wait_for
from tests.orchestration.invited import start_invited
from tests.webserver import running_web_server

REPO = Path(__file__).resolve().parents[2]
# The brand's limits, chosen so no offer the scripted brand opens with can equal them.
TARGET = Decimal("1.87")
MAXIMUM = Decimal("2.33")
# Text of entries only staff may read; none may reach the supplier.
INTERNAL = {
    "guidance": "GUIDANCE-CANARY keep it under two",
    "answer": "ANSWER-CANARY yes partial is fine",
    "system": "SYSTEM-CANARY guidance applied",
    "strategy": "STRATEGY-CANARY",
    "rationale": "RATIONALE-CANARY their floor is near",
    "guardrail": "GUARDRAIL-CANARY price capped",
    "other supplier": "OTHER-SUPPLIER-CANARY",
    "other offer": "OTHER-OFFER-CANARY",
}


@dataclass
class Invited:
    quote: Quote
    negotiation: Negotiation
    token: str
    other: Negotiation  # another supplier's negotiation of the same quote

    @property
    def url(self) -> str:
        return f"/s/{self.token}/"

    def refresh(self) -> Negotiation:
        self.negotiation.refresh_from_db()
        return self.negotiation


def play_brand(negotiation: Negotiation) -> None:
    """The brand's turn that is due, as the worker would play it, done on return: the
    session's Celery worker, once a test started it, may have played it already or be playing
    it (``turn_run`` then leaves it to the worker), so this plays it only if it still looks
    due, and waits until the brand has moved whoever played it (the negotiation is no longer
    running: it waits for the supplier, or ended)."""
    negotiation.refresh_from_db()
    if negotiation.status in RUNNING_STATUSES:
        services.turn_run(negotiation_id=negotiation.pk, turn=negotiation.turns_taken + 1)
    wait_for(lambda: Negotiation.objects.get(pk=negotiation.pk).status not in RUNNING_STATUSES)


def seed_internal_entries(negotiation: Negotiation) -> None:
    """Staff guidance and answers, a system note, and the brand's reasoning on its offer."""
    with_terms = negotiation.messages.filter(sender=Sender.BRAND).exclude(terms=None).first()
    Message.objects.filter(pk=with_terms.pk).update(
        strategies=[INTERNAL["strategy"]],
        rationale=[INTERNAL["rationale"]],
        guardrail_violations=[INTERNAL["guardrail"]],
        verdict="pass",
    )
    with transaction.atomic():
        negotiation = lock_negotiation(negotiation.pk)
        for sender, action, text in [
            (Sender.STAFF, Message.GUIDANCE, INTERNAL["guidance"]),
            (Sender.STAFF, Message.ANSWER, INTERNAL["answer"]),
            (Sender.SYSTEM, "message", INTERNAL["system"]),
        ]:
            append_message(negotiation, sender=sender, action=action, text=text)


def make_invited(organisation, *, product: str = "Custom 500 ml amber glass bottle") -> Invited:
    quote = QuoteFactory(
        organisation=organisation,
        product=product,
        target_price=TARGET,
        max_price=MAXIMUM,
        question_budget=0,
        description="Amber glass, 500 ml, screw neck.",
        requirements="Food-grade; pallets of 1,000.",
    )
    suppliers = [
        SupplierFactory(
            organisation=organisation,
            name="Pacific Glassworks",
            contact_email="sales@pacific.example",
        ),
        SupplierFactory(organisation=organisation, name=INTERNAL["other supplier"]),
        SupplierFactory(organisation=organisation, name="Lumen Bottle Co."),
    ]
    with transaction.atomic():
        mine, other, third = start_invited(quote, suppliers, slots=(1,))
        # The simulated ones stay still, whether or not a worker runs (the browser test's does).
        Negotiation.objects.filter(pk__in=[other.pk, third.pk]).update(
            status=NegotiationStatus.PAUSED
        )
        append_message(
            lock_negotiation(other.pk),
            sender=Sender.SUPPLIER,
            action="propose",
            text=INTERNAL["other offer"],
            terms={
                "unit_price": "2.11",
                "quantity": 5000,
                "lead_time_days": 21,
                "payment_terms_days": 30,
                "warranty_months": 12,
                "currency": "USD",
            },
        )
    play_brand(mine)  # or a running worker does: either way the brand opens once
    wait_for(
        lambda: Negotiation.objects.get(pk=mine.pk).status == NegotiationStatus.WAITING_FOR_SUPPLIER
    )
    seed_internal_entries(mine)
    token = invitation_issue(negotiation=mine, send=False)
    mine.refresh_from_db()
    return Invited(quote=quote, negotiation=mine, token=token, other=other)


@pytest.fixture
def invited(db, organisation) -> Invited:
    return make_invited(organisation)


@pytest.fixture
def supplier_client() -> Client:
    """A browser with no Procur login."""
    return Client()


def assert_nothing_internal(html: str) -> None:
    """No internal entry and neither of the brand's limits is in ``html``."""
    for what, canary in INTERNAL.items():
        assert canary not in html, f"the {what} reached the supplier"
    for figure in (TARGET, MAXIMUM):
        assert not shows_figure(html, figure), f"the brand's limit {figure} reached the supplier"
    assert "internal" not in html.lower(), "an internal mark reached the supplier"


@pytest.fixture
def web_server(transactional_db, tmp_path) -> Iterator[tuple[str, Path]]:
    """The web server as production runs it (tests/webserver.py) on the test database and this
    run's Redis; its URL, and the file that gets everything it prints."""
    log = tmp_path / "web.log"
    with running_web_server(processes=1, log=log) as url:
        yield url, log
