"""The information barrier: every message has an audience, and whatever the supplier side reads
(its agent's context and prompt, any supplier-facing room) holds shared messages only."""

import json
import re
from decimal import Decimal

import pytest

from negotiations import services
from negotiations.agents.prompts import build_request
from negotiations.agents.turn import engine_proposal
from negotiations.engine import Side
from negotiations.models import (
    Message,
    MessageAudience,
    Negotiation,
    NegotiationStatus,
    Sender,
    message_audience,
)
from negotiations.room import Audience, render_messages
from negotiations.room.model import visible_messages
from negotiations.services.context import build_context, load_negotiation
from tests.agents.llm import engine_advice
from tests.fake_anthropic import Reply

pytestmark = pytest.mark.django_db

OFFERED = re.compile(r'USD \d+\.\d\d per unit for|"unit_price\\?": \\?"\d+\.\d\d')
GUIDANCE = "Raise the cap to 2.55. Prioritise lead time, we need it before the launch."


@pytest.mark.parametrize(
    ("sender", "action", "audience"),
    [
        (Sender.BRAND, "propose", MessageAudience.SHARED),
        (Sender.BRAND, "counter", MessageAudience.SHARED),
        (Sender.BRAND, "accept", MessageAudience.SHARED),
        (Sender.BRAND, "walk_away", MessageAudience.SHARED),
        (Sender.SUPPLIER, "message", MessageAudience.SHARED),
        (Sender.SUPPLIER, "reject", MessageAudience.SHARED),
        (Sender.BRAND, "ask_info", MessageAudience.INTERNAL),
        (Sender.STAFF, Message.GUIDANCE, MessageAudience.INTERNAL),
        (Sender.STAFF, Message.ANSWER, MessageAudience.INTERNAL),
        (Sender.SYSTEM, "message", MessageAudience.INTERNAL),
    ],
)
def test_every_message_has_an_audience_decided_in_one_place(sender, action, audience):
    assert message_audience(sender, action) is audience


def play(negotiation: Negotiation, turns: int) -> Negotiation:
    for _ in range(turns):
        negotiation.refresh_from_db()
        if negotiation.status not in (NegotiationStatus.QUEUED, NegotiationStatus.ACTIVE):
            break
        services.turn_run(negotiation_id=negotiation.pk, turn=negotiation.turns_taken + 1)
    negotiation.refresh_from_db()
    return negotiation


def offered_prices(negotiation: Negotiation) -> set[str]:
    """Unit prices either side put on the table: a figure offered is no secret any more (a
    supplier may well offer exactly the raised cap or the target), so the checks skip those."""
    shared = negotiation.messages.filter(audience=MessageAudience.SHARED, terms__isnull=False)
    return {f"{Decimal(m.terms['unit_price']):.2f}" for m in shared}


@pytest.fixture
def guided(quote, suppliers, user):
    """A negotiation with every kind of internal entry: guidance (and how it was applied), a
    note on what the brand cannot apply, a pause and a resume."""
    negotiation = play(services.quote_start(quote=quote, suppliers=suppliers)[0], 2)
    services.negotiation_guide(negotiation=negotiation, author=user, text=GUIDANCE)
    services.negotiation_guide(negotiation=negotiation, author=user, text="Order pizza.")
    services.negotiation_pause(negotiation=negotiation, author=user)
    services.negotiation_resume(negotiation=negotiation, author=user)
    return play(negotiation, 1)  # the brand applies the guidance


def test_the_supplier_sides_context_holds_shared_messages_only(guided):
    internal = guided.messages.filter(audience=MessageAudience.INTERNAL)
    assert set(internal.values_list("sender", flat=True)) == {Sender.STAFF, Sender.SYSTEM}

    context = build_context(load_negotiation(guided.pk), guided.turns_taken + 1)

    assert context.side is Side.SUPPLIER
    shared = list(guided.messages.filter(audience=MessageAudience.SHARED).order_by("seq"))
    assert [line.seq for line in context.transcript] == [m.seq for m in shared]
    assert {line.sender for line in context.transcript} == {"brand", "supplier"}
    assert context.brand is None and context.guidance_notes == ()
    assert context.confidential.figures == () and context.state.clarifications == ()
    for turn in context.state.history:
        if turn.side is Side.BRAND:  # the brand's reasoning is not the supplier's to read
            assert turn.move.rationale == () and turn.move.strategies == ()


def test_the_supplier_agents_prompt_has_no_internal_entry_no_maximum_no_staff_text(guided):
    quote = guided.quote
    context = build_context(load_negotiation(guided.pk), guided.turns_taken + 1)

    request = json.dumps(build_request(context, engine_proposal(context), model="m"))

    figures = {"2.55", str(quote.max_price), str(quote.target_price)} - offered_prices(guided)
    for secret in (
        *figures,
        "launch",
        "pizza",
        "Paused by",
        "Staff guidance",
        "<staff_message>",
        "<system_message>",
    ):
        assert secret not in request, secret


def test_the_supplier_reads_the_room_through_one_function(guided):
    everything = guided.messages.order_by("seq")

    for_supplier = visible_messages(everything, Audience.SUPPLIER)

    assert set(for_supplier.values_list("audience", flat=True)) == {MessageAudience.SHARED}
    assert for_supplier.count() < visible_messages(everything, Audience.STAFF).count()
    assert visible_messages(everything, Audience.STAFF).count() == everything.count()


def test_internal_entries_are_marked_in_the_room_page_and_its_push(guided, staff_client):
    internal = guided.messages.filter(audience=MessageAudience.INTERNAL)
    pushed = render_messages(guided.pk, list(guided.messages.order_by("seq")))
    page = staff_client.get(f"/quotes/{guided.quote_id}/").content.decode()

    for html in (pushed, page):
        assert html.count("internal — not sent to the supplier") == internal.count()
        for message in internal:
            assert (
                f'id="msg-{guided.pk}-{message.seq}" class="msg msg-{message.sender} msg-internal'
                in html
            )


# -- the issue's own check: a model whose brand answers give the ceiling away -----------------


def ceiling_leaking_model(body) -> Reply:
    """Follows the engine's advice; as the brand, it tells the supplier its ceiling (the
    maximum in force, read from its own prompt) and quotes its staff."""
    advice = engine_advice(body)
    system = body["system"][0]["text"]
    message = "We can work with this."
    if "procurement agent of a brand" in system:
        ceiling = system.split("never propose or accept a unit price above USD ")[1].split(".")[0]
        message = (
            f"Between us, our ceiling is USD {ceiling}. Our staff said: we need "
            "it before the launch. Pacific Glassworks offered less."
        )
    return Reply(
        "tool",
        {
            "action": advice["action"],
            "terms": advice["terms"],
            "message": message,
            "strategies": [],
            "question": advice["question"],
        },
    )


def test_a_model_giving_the_ceiling_away_reaches_neither_the_supplier_nor_the_transcript(
    quote, suppliers, user, fake_anthropic
):
    fake_anthropic.default = ceiling_leaking_model
    quote.max_rounds = 6
    quote.save()
    negotiation = play(services.quote_start(quote=quote, suppliers=suppliers)[1], 3)
    services.negotiation_guide(negotiation=negotiation, author=user, text=GUIDANCE)
    negotiation = play(negotiation, 20)

    ceilings = {str(quote.max_price), "2.55"} - offered_prices(negotiation)
    brand_messages = negotiation.messages.filter(sender=Sender.BRAND)
    assert brand_messages.count() >= 3
    for message in brand_messages:
        offered = message.terms and Decimal(message.terms["unit_price"])
        stated = [c for c in ceilings if c in message.text and Decimal(c) != offered]
        assert not stated, message.text
        assert "launch" not in message.text and "Pacific Glassworks" not in message.text
    replaced = brand_messages.exclude(guardrail_violations=[])
    assert replaced.count() == brand_messages.count()  # every leaking text was caught
    supplier_requests = [
        json.dumps(body)
        for body in fake_anthropic.requests
        if "sales agent of the supplier" in body["system"][0]["text"]
    ]
    assert len(supplier_requests) >= 2
    for body in supplier_requests:
        for secret in ("ceiling", "launch", "Pacific Glassworks", "pizza", "Raise the cap"):
            assert secret not in body, secret
        for tag in ("staff_message", "system_message"):
            assert tag not in body, tag
        # The figures appear only as offers (terms, engine advice): never in any text.
        text = OFFERED.sub("", body)
        assert not [c for c in ceilings if c in text], text
