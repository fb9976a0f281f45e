"""The events that notify staff today: a brand agent's question, and a quote whose last
negotiation ended awaiting approval (the evaluation run again notifies nobody)."""

import pytest

from negotiations import services
from negotiations.models import NegotiationStatus, Notification, NotificationKind, QuoteStatus
from negotiations.services.evaluation import negotiation_ended
from tests.factories import NegotiationFactory, QuoteFactory
from tests.orchestration.conftest import suppliers  # noqa: F401 (a fixture)
from tests.orchestration.test_turns import short_supplier_asks

pytestmark = pytest.mark.django_db


def test_a_brand_agents_question_notifies_staff(organisation, user, suppliers):  # noqa: F811
    quote = QuoteFactory(organisation=organisation, created_by=user)
    negotiation, question = short_supplier_asks(quote, suppliers)
    [notification] = Notification.objects.filter(user=user)
    assert notification.kind == NotificationKind.QUESTION
    assert (notification.quote, notification.negotiation) == (quote, negotiation)
    assert notification.text == (
        f"The brand agent negotiating with {suppliers[0].name} asks: {question.question}"
    )


def test_the_last_negotiation_ending_notifies_that_the_quote_awaits_approval(
    organisation, user, approver
):
    quote = QuoteFactory(organisation=organisation, status=QuoteStatus.NEGOTIATING)
    ended = [
        NegotiationFactory(quote=quote, slot=slot, status=NegotiationStatus.IMPASSE)
        for slot in (1, 2)
    ]
    last = NegotiationFactory(quote=quote, slot=3, status=NegotiationStatus.ACTIVE)
    negotiation_ended(ended[0])  # one of three ended: nothing to approve yet
    assert not Notification.objects.exists()
    last.status = NegotiationStatus.WALKED_AWAY
    last.save()
    negotiation_ended(last)
    [notification] = Notification.objects.all()
    assert (notification.user, notification.kind) == (approver, NotificationKind.AWAITING_APPROVAL)
    assert notification.text == (
        f"{quote} awaits approval. No negotiation reached a deal: nothing to award."
    )
    services.quote_evaluate(quote=quote)
    assert Notification.objects.count() == 1
