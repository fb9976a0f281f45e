"""The brand agent's open question, read by one selector for the room, the answer and resume."""

import pytest

from negotiations import selectors, services
from negotiations.models import NegotiationStatus
from negotiations.room import column_of, load_room
from tests.ui.conftest import ask

pytestmark = pytest.mark.django_db


def test_guidance_given_while_the_question_is_open_does_not_answer_it(started, user):
    negotiation = started.negotiations[0]
    ask(negotiation, 3, "May we accept 45-day payment?")
    services.negotiation_guide(negotiation=negotiation, author=user, text="Prioritise price.")

    question = selectors.open_question(negotiation)
    assert question is not None and question.question == "May we accept 45-day payment?"
    room = load_room(started.quote)
    assert column_of(room, negotiation.pk).question == question


def test_the_answer_closes_the_question_and_records_it_with_its_answer(started, user):
    negotiation = started.negotiations[0]
    ask(negotiation, 3, "May we accept 45-day payment?")
    services.negotiation_answer(negotiation=negotiation, author=user, text="Yes.")

    assert selectors.open_question(negotiation) is None
    negotiation.refresh_from_db()
    started.quote.refresh_from_db()
    assert negotiation.status == NegotiationStatus.ACTIVE
    assert column_of(load_room(started.quote), negotiation.pk).question is None
    [clarification] = started.quote.clarifications
    assert (clarification["question"], clarification["answer"]) == (
        "May we accept 45-day payment?",
        "Yes.",
    )


def test_a_paused_question_is_open_again_on_resume(started, user):
    negotiation = started.negotiations[0]
    ask(negotiation, 3, "May we accept 45-day payment?")
    services.negotiation_pause(negotiation=negotiation, author=user)
    assert column_of(load_room(started.quote), negotiation.pk).question is None  # paused

    services.negotiation_resume(negotiation=negotiation, author=user)

    negotiation.refresh_from_db()
    assert negotiation.status == NegotiationStatus.WAITING_FOR_STAFF
    assert column_of(load_room(started.quote), negotiation.pk).question.seq == 3


def test_without_a_question_resume_goes_back_to_the_turns(started, user):
    negotiation = started.negotiations[0]
    negotiation.status = NegotiationStatus.ACTIVE
    negotiation.save(update_fields=["status"])
    services.negotiation_pause(negotiation=negotiation, author=user)
    services.negotiation_resume(negotiation=negotiation, author=user)

    negotiation.refresh_from_db()
    assert selectors.open_question(negotiation) is None
    assert negotiation.status == NegotiationStatus.ACTIVE
