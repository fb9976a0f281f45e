"""Turns driven one by one (no worker; on-commit enqueues do not fire in these tests)."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from negotiations import services
from negotiations.agents import AgentTurn, CallRecord
from negotiations.engine import (
    PARTIAL_SHIPMENTS_QUESTION,
    SUPPLIER_ASKS,
    Action,
    Move,
    Side,
    Terms,
    brand_utility,
    standing_offer,
)
from negotiations.engine.guardrails import NOTHING_ON_THE_TABLE
from negotiations.models import (
    ENDED_STATUSES,
    Message,
    MessageAudience,
    Negotiation,
    NegotiationStatus,
    Quote,
    Sender,
)
from negotiations.room import column_of, load_room, render_column_fragment
from negotiations.services.context import build_context, load_negotiation
from negotiations.services.turns import MAX_DELIVERIES
from tests.agents.llm import move_input
from tests.orchestration.conftest import play
from vendors.models import Supplier

pytestmark = pytest.mark.django_db


@pytest.fixture
def negotiation(quote, suppliers):
    return services.quote_start(quote=quote, suppliers=suppliers)[0]


def test_the_brand_opens_and_the_supplier_answers(negotiation):
    play(negotiation, 2)
    brand, supplier = negotiation.messages.order_by("seq")
    assert (brand.sender, brand.action, brand.seq, brand.round) == ("brand", "propose", 1, 1)
    assert (supplier.sender, supplier.seq, supplier.round) == ("supplier", 2, 1)
    assert supplier.terms is not None and supplier.verdict in {"pass", "neutral", "fail"}
    assert negotiation.status == NegotiationStatus.ACTIVE
    assert negotiation.agent_calls.count() == 2


def test_a_turn_takes_its_seq_from_the_transcript_it_read(negotiation):
    play(negotiation, 1)
    with CaptureQueriesContext(connection) as queries:
        services.turn_run(negotiation_id=negotiation.pk, turn=2)
    assert [m.seq for m in negotiation.messages.order_by("seq")] == [1, 2]
    assert not [q["sql"] for q in queries if "MAX(" in q["sql"].upper()]  # no seq lookup


def test_a_staff_message_stored_while_the_agent_moves_keeps_the_seqs_in_order(
    negotiation, user, monkeypatch
):
    from negotiations.services import turns

    play(negotiation, 1)
    move = turns.take_turn

    def move_while_staff_guides(context):
        services.negotiation_guide(
            negotiation=negotiation, author=user, text="Push harder on lead time."
        )
        return move(context)

    monkeypatch.setattr(turns, "take_turn", move_while_staff_guides)
    assert services.turn_run(negotiation_id=negotiation.pk, turn=2).result == "active"
    senders = list(negotiation.messages.order_by("seq").values_list("seq", "sender"))
    assert senders == [(1, Sender.BRAND), (2, Sender.STAFF), (3, Sender.SUPPLIER)]


def test_guidance_that_comes_while_the_brand_decides_makes_it_decide_again(
    negotiation, user, monkeypatch
):
    # An LLM (or the paced scripted voice) takes seconds to decide: staff guide meanwhile.
    from negotiations.services import turns

    play(negotiation, 2)
    move = turns.take_turn

    def move_while_staff_guides(context):
        services.negotiation_guide(negotiation=negotiation, author=user, text="Walk away.")
        return move(context)

    monkeypatch.setattr(turns, "take_turn", move_while_staff_guides)
    deliveries = Negotiation.objects.get(pk=negotiation.pk).turn_deliveries
    assert services.turn_run(negotiation_id=negotiation.pk, turn=3).result == "guided meanwhile"
    negotiation.refresh_from_db()
    assert negotiation.turns_taken == 2 and negotiation.lease_token == ""
    assert negotiation.turn_deliveries == deliveries  # not counted: nothing failed
    assert negotiation.messages.latest("seq").sender == Sender.STAFF  # no move ignoring it
    # The set-aside decision's call is kept: its tokens were spent.
    assert negotiation.agent_calls.filter(turn=3, side="brand").count() == 1

    monkeypatch.setattr(turns, "take_turn", move)
    assert services.turn_run(negotiation_id=negotiation.pk, turn=3).result == "walked_away"
    note, brand = negotiation.messages.order_by("-seq")[:2][::-1]
    assert note.text == "Staff guidance applied: Staff asked to walk away."
    assert brand.action == "walk_away"
    assert negotiation.agent_calls.filter(turn=3, side="brand").count() == 2


def test_running_the_same_turn_twice_stores_one_message(negotiation):
    first = services.turn_run(negotiation_id=negotiation.pk, turn=1)
    again = services.turn_run(negotiation_id=negotiation.pk, turn=1)
    assert first.result == "active"
    assert again.result == "already done"
    assert negotiation.messages.count() == 1


def test_a_turn_under_another_copys_lease_waits(negotiation):
    Negotiation.objects.filter(pk=negotiation.pk).update(
        lease_token="other-copy", lease_expires_at=timezone.now() + timedelta(seconds=30)
    )
    outcome = services.turn_run(negotiation_id=negotiation.pk, turn=1)
    assert outcome.result == "busy"
    assert 0 < outcome.retry_in <= 30
    assert not negotiation.messages.exists()


def test_an_expired_lease_is_taken_over(negotiation):
    Negotiation.objects.filter(pk=negotiation.pk).update(
        lease_token="dead-copy", lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert services.turn_run(negotiation_id=negotiation.pk, turn=1).result == "active"
    assert negotiation.messages.count() == 1


def test_a_turn_started_too_often_fails_the_negotiation_with_its_reason(negotiation):
    Negotiation.objects.filter(pk=negotiation.pk).update(
        turn_deliveries=MAX_DELIVERIES, error="worker killed"
    )
    assert services.turn_run(negotiation_id=negotiation.pk, turn=1).result == "failed"
    negotiation.refresh_from_db()
    assert negotiation.status == NegotiationStatus.FAILED
    assert "started 3 times" in negotiation.error and "worker killed" in negotiation.error
    assert negotiation.messages.get().sender == Sender.SYSTEM


def test_a_failed_negotiation_can_be_retried_from_its_turn(negotiation, user):
    Negotiation.objects.filter(pk=negotiation.pk).update(turn_deliveries=MAX_DELIVERIES)
    services.turn_run(negotiation_id=negotiation.pk, turn=1)
    negotiation.refresh_from_db()
    services.negotiation_retry(negotiation=negotiation, author=user)
    play(negotiation, 1)
    assert negotiation.status == NegotiationStatus.ACTIVE
    assert negotiation.messages.filter(sender=Sender.BRAND).count() == 1


def test_a_paused_negotiation_plays_no_turn_until_resumed(negotiation, user):
    services.negotiation_pause(negotiation=negotiation, author=user)
    assert services.turn_run(negotiation_id=negotiation.pk, turn=1).result.startswith(
        "not playable"
    )
    services.negotiation_resume(negotiation=negotiation, author=user)
    play(negotiation, 1)
    assert negotiation.messages.filter(sender=Sender.BRAND).count() == 1
    texts = list(negotiation.messages.filter(sender=Sender.SYSTEM).values_list("text", flat=True))
    assert texts == [f"Paused by {user.username}.", f"Resumed by {user.username}."]


def test_accept_guidance_makes_the_brand_accept_the_standing_offer(quote, suppliers, user):
    quote.max_price = suppliers[0].list_price * 2  # the supplier's opening offer is within limits
    quote.save()
    negotiation = play(services.quote_start(quote=quote, suppliers=suppliers)[0], 2)
    offer = negotiation.messages.get(sender=Sender.SUPPLIER).terms
    services.negotiation_guide(
        negotiation=negotiation, author=user, text="Accept the current offer."
    )
    play(negotiation, 1)
    reply = negotiation.messages.filter(sender=Sender.BRAND).latest("seq")
    assert reply.action == "accept"
    assert reply.terms == offer
    assert negotiation.status == NegotiationStatus.AGREED
    assert negotiation.final_terms == offer


def test_accept_guidance_never_accepts_above_the_cap(negotiation, user):
    play(negotiation, 2)
    offer = negotiation.messages.get(sender=Sender.SUPPLIER).terms
    assert float(offer["unit_price"]) > float(negotiation.quote.max_price)  # hardball opening
    services.negotiation_guide(
        negotiation=negotiation, author=user, text="Accept the current offer."
    )
    play(negotiation, 1)
    reply = negotiation.messages.filter(sender=Sender.BRAND).latest("seq")
    assert reply.action == "counter"
    assert float(reply.terms["unit_price"]) <= float(negotiation.quote.max_price)
    assert negotiation.status == NegotiationStatus.ACTIVE


def test_walk_away_guidance_ends_the_negotiation_on_the_brands_next_turn(negotiation, user):
    play(negotiation, 2)
    services.negotiation_guide(negotiation=negotiation, author=user, text="Walk away.")
    play(negotiation, 1)
    assert negotiation.messages.latest("seq").action == "walk_away"
    assert negotiation.status == NegotiationStatus.WALKED_AWAY


def test_guidance_the_brand_cannot_apply_gets_a_system_message(negotiation, user):
    services.negotiation_guide(
        negotiation=negotiation, author=user, text="Please order pizza for the team."
    )
    staff, system = negotiation.messages.order_by("seq")
    assert staff.sender == Sender.STAFF and staff.guidance["unapplied"]
    assert system.sender == Sender.SYSTEM and "cannot apply" in system.text


def test_the_same_intervention_sent_twice_is_stored_once(negotiation, user):
    first = services.negotiation_guide(
        negotiation=negotiation, author=user, text="Push on lead time.", client_id="abc-1"
    )
    again = services.negotiation_guide(
        negotiation=negotiation, author=user, text="Push on lead time.", client_id="abc-1"
    )
    assert first.pk == again.pk
    assert negotiation.messages.filter(sender=Sender.STAFF).count() == 1


def test_guidance_to_an_ended_negotiation_is_a_clear_error(negotiation, user):
    services.negotiation_cancel(negotiation=negotiation, author=user)
    with pytest.raises(services.ProcurError, match="has ended"):
        services.negotiation_guide(negotiation=negotiation, author=user, text="Go on.")


def test_empty_guidance_is_refused(negotiation, user):
    with pytest.raises(services.ProcurError) as error:
        services.negotiation_guide(negotiation=negotiation, author=user, text="   ")
    assert error.value.field_errors == {"text": ["This field is required."]}


def short_supplier_asks(quote, suppliers) -> tuple[Negotiation, Message]:
    """A supplier short of capacity whose negotiation waits for staff to answer its question."""
    short = suppliers[0]
    short.capacity = quote.quantity // 2
    short.save()
    quote.question_budget = 1
    quote.save()
    negotiation = services.quote_start(quote=quote, suppliers=suppliers)[0]
    for _ in range(8):
        play(negotiation, 1)
        if negotiation.status != NegotiationStatus.ACTIVE:
            break
    question = negotiation.messages.latest("seq")
    assert question.action == "ask_info" and question.audience == MessageAudience.INTERNAL
    return negotiation, question


def test_a_supplier_short_of_capacity_leads_to_a_staff_question(quote, suppliers, user):
    negotiation, question = short_supplier_asks(quote, suppliers)
    assert negotiation.status == NegotiationStatus.WAITING_FOR_STAFF
    assert (question.sender, question.action) == ("brand", "ask_info") and question.question
    waiting = services.turn_run(negotiation_id=negotiation.pk, turn=negotiation.turns_taken + 1)
    assert waiting.result == "not playable (waiting_for_staff)"

    services.negotiation_answer(negotiation=negotiation, author=user, text="Yes, split it.")
    negotiation.refresh_from_db()
    quote.refresh_from_db()
    assert negotiation.status == NegotiationStatus.ACTIVE
    assert quote.questions_asked == 1
    assert quote.clarifications == [
        {
            "question": question.question,
            "answer": "Yes, split it.",
            "negotiation": negotiation.pk,
            "for_supplier": question.question.startswith(SUPPLIER_ASKS),
        }
    ]
    play(negotiation, 1)
    assert negotiation.messages.latest("seq").sender == Sender.BRAND


def test_an_answer_to_the_suppliers_question_is_relayed_and_acted_on(quote, suppliers, user):
    negotiation, question = short_supplier_asks(quote, suppliers)
    # The brand passes the supplier's question on (whichever partial question the engine asked).
    Message.objects.filter(pk=question.pk).update(
        question=SUPPLIER_ASKS + PARTIAL_SHIPMENTS_QUESTION
    )
    answer = "Yes, partial shipments are fine, at least 2,000 units."
    # The question box says where the answer goes.
    assert "sent to the supplier" in render_column_fragment(
        "question", load_room(quote), column_of(load_room(quote), negotiation.pk), oob=False
    )

    staff = services.negotiation_answer(negotiation=negotiation, author=user, text=answer)
    context = build_context(load_negotiation(negotiation.pk), negotiation.turns_taken + 1)
    play(negotiation, 1)

    assert staff.audience == MessageAudience.INTERNAL
    assert context.brand.min_quantity == 2000 and context.relay.endswith(answer)
    assert answer not in context.confidential.staff_texts
    reply = negotiation.messages.latest("seq")
    assert reply.sender == Sender.BRAND and reply.audience == MessageAudience.SHARED
    assert reply.text.startswith(f"On your question ({PARTIAL_SHIPMENTS_QUESTION}): {answer}")
    assert reply.action != "walk_away" and not reply.guardrail_violations
    # The supplier's partial offers are acceptable now: no second question, no walk-away.
    play(negotiation, 12)
    actions = list(
        negotiation.messages.filter(sender=Sender.BRAND, seq__gt=reply.seq).values_list(
            "action", flat=True
        )
    )
    assert "ask_info" not in actions and "walk_away" not in actions
    if negotiation.status == NegotiationStatus.AGREED:
        assert 2000 <= negotiation.final_terms["quantity"] <= quote.quantity


def test_an_answer_to_the_brands_own_question_stays_internal(quote, suppliers, user):
    negotiation, question = short_supplier_asks(quote, suppliers)
    Message.objects.filter(pk=question.pk).update(question="Should we accept a partial order?")
    assert "stays internal" in render_column_fragment(
        "question", load_room(quote), column_of(load_room(quote), negotiation.pk), oob=False
    )

    services.negotiation_answer(negotiation=negotiation, author=user, text="Yes, partial is ok.")
    play(negotiation, 1)

    reply = negotiation.messages.latest("seq")
    assert reply.sender == Sender.BRAND and "partial is ok" not in reply.text
    assert not reply.text.startswith("On your question")


def test_answering_without_an_open_question_is_refused(negotiation, user):
    with pytest.raises(services.ProcurError, match="no open question"):
        services.negotiation_answer(negotiation=negotiation, author=user, text="Yes.")
    assert not Message.objects.exists()


def test_a_requeue_counts_as_activity_so_the_sweep_waits(negotiation):
    stale = timezone.now() - timedelta(hours=1)
    Negotiation.objects.filter(pk=negotiation.pk).update(last_activity_at=stale)
    services.negotiation_requeue(negotiation=negotiation)
    negotiation.refresh_from_db()
    assert negotiation.last_activity_at > stale + timedelta(minutes=59)


def test_the_recommendation_says_what_each_runner_up_traded(quote, suppliers, user):
    from decimal import Decimal

    from negotiations.models import QuoteStatus

    negotiations = services.quote_start(quote=quote, suppliers=suppliers)
    deals = [  # (unit price, lead time, utility): the dearer, faster deal scores higher
        ("2.01", 30, 0.82),
        ("1.95", 45, 0.75),
    ]
    for negotiation, (price, lead, utility) in zip(negotiations, deals, strict=False):
        Negotiation.objects.filter(pk=negotiation.pk).update(
            status=NegotiationStatus.AGREED,
            brand_utility=utility,
            final_terms={
                "unit_price": price,
                "quantity": quote.quantity,
                "lead_time_days": lead,
                "payment_terms_days": 30,
                "warranty_months": 12,
                "currency": "USD",
            },
        )
    services.negotiation_cancel(negotiation=negotiations[2], author=user)  # the last to end
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.AWAITING_APPROVAL
    assert quote.recommendation["recommended_negotiation_id"] == negotiations[0].pk
    assert quote.recommendation["ranking"][0]["total_cost"] == str(Decimal("2.01") * 5000)
    comparison = (
        f"{negotiations[1].supplier.name} (better: 300.00 USD cheaper in total; "
        "worse: delivers 15 days later) scores 0.75 against 0.82 on your priorities; "
        "money left on the table: "
    )
    assert any(r.startswith(comparison) for r in quote.recommendation["reasons"])


def test_the_brand_sees_the_latest_offer_of_each_other_negotiation(quote, suppliers):
    from negotiations.services.context import OFFER_ACTIONS, build_context, load_negotiation

    random.seed(8)  # the negotiations' seeds: here the first supplier counters twice
    first, second, third = services.quote_start(quote=quote, suppliers=suppliers)
    play(first, 4)  # two supplier offers: only the later one stands
    play(second, 2)
    offers_of_first = first.messages.filter(sender=Sender.SUPPLIER, action__in=OFFER_ACTIONS)
    assert offers_of_first.count() == 2
    latest_first = offers_of_first.latest("seq").terms
    only_second = second.messages.get(sender=Sender.SUPPLIER).terms
    context = build_context(load_negotiation(third.pk), turn=1)
    offers = sorted(terms.to_dict()["unit_price"] for terms in context.state.competing_offers)
    assert offers == sorted([latest_first["unit_price"], only_second["unit_price"]])
    assert context.state.agreed_elsewhere == ()  # running offers only cap the brand


def _agent_says(monkeypatch, move: Move, text: str = "Deal.") -> None:
    """The agent answers ``move`` whatever its guardrails would say (as a defect could)."""
    from negotiations.services import turns

    def defective_agent(context):
        record = CallRecord("scripted", "", {}, None, None, move.to_dict(), input_tokens=7)
        return AgentTurn(move, text, (), (record,))

    monkeypatch.setattr(turns, "take_turn", defective_agent)


def test_an_accept_of_terms_the_brand_never_offered_fails_the_negotiation(negotiation, monkeypatch):
    play(negotiation, 1)
    brand_offer = Terms.from_dict(negotiation.messages.get().terms)
    _agent_says(monkeypatch, Move(Action.ACCEPT, brand_offer.replace(unit_price=Decimal("999"))))

    assert services.turn_run(negotiation_id=negotiation.pk, turn=2).result == "failed"

    negotiation.refresh_from_db()
    assert negotiation.status == NegotiationStatus.FAILED and negotiation.final_terms is None
    assert "accepted terms differ from the offer on the table" in negotiation.error
    assert "brand limit: unit price 999.00 above the maximum" in negotiation.error
    assert not negotiation.messages.filter(action="accept").exists()
    last = negotiation.messages.order_by("seq").last()
    assert last.sender == Sender.SYSTEM and "nothing was agreed" in last.text
    assert negotiation.agent_calls.get(turn=2).input_tokens == 7


def test_an_accept_inside_the_brands_limits_but_below_the_suppliers_floor_fails(
    negotiation, monkeypatch
):
    play(negotiation, 2)
    standing = Terms.from_dict(negotiation.messages.get(sender=Sender.SUPPLIER).terms)
    # The supplier's floor rose since it offered: its own offer is now below it.
    Supplier.objects.filter(pk=negotiation.supplier_id).update(
        cost_floor=standing.unit_price + 1, list_price=standing.unit_price + 2
    )
    _agent_says(monkeypatch, Move(Action.ACCEPT, standing))

    services.turn_run(negotiation_id=negotiation.pk, turn=3)

    negotiation.refresh_from_db()
    assert negotiation.status == NegotiationStatus.FAILED
    assert "supplier limit: unit price" in negotiation.error
    assert negotiation.final_terms is None


def test_an_accept_with_nothing_on_the_table_is_stored_as_a_reject(negotiation, monkeypatch):
    _agent_says(monkeypatch, Move(Action.ACCEPT, Terms(Decimal("1.00"), 5000, 30, 30, 12)))

    services.turn_run(negotiation_id=negotiation.pk, turn=1)

    negotiation.refresh_from_db()
    (message,) = negotiation.messages.all()
    assert (message.action, message.terms) == ("reject", None)
    assert message.guardrail_violations == [NOTHING_ON_THE_TABLE]
    assert negotiation.status == NegotiationStatus.ACTIVE


def test_out_of_range_model_numbers_never_crash_the_turn_and_its_calls_are_kept(
    negotiation, fake_anthropic
):
    bad = move_input("propose", "1E+30")
    fake_anthropic.tool_call(bad, times=2)

    assert services.turn_run(negotiation_id=negotiation.pk, turn=1).result == "active"

    (message,) = negotiation.messages.all()
    assert message.sender == Sender.BRAND and Decimal(message.terms["unit_price"]) < 10
    calls = negotiation.agent_calls.filter(turn=1)
    assert calls.count() == 2 and all(c.input_tokens > 0 and c.cost_usd > 0 for c in calls)
    assert "malformed make_move output twice" in calls.last().fallback_reason


def test_how_guidance_was_applied_is_an_internal_note_beside_the_brands_move(negotiation, user):
    play(negotiation, 2)
    services.negotiation_guide(
        negotiation=negotiation, author=user, text="Raise the cap to 3.10. Prioritise lead time."
    )
    play(negotiation, 1)

    *_, staff, note, brand = negotiation.messages.order_by("seq")
    assert staff.sender == Sender.STAFF
    assert note.sender == Sender.SYSTEM and note.text.startswith("Staff guidance applied: Raised")
    assert "3.10" in note.text
    assert brand.sender == Sender.BRAND and brand.seq == note.seq + 1
    assert "staff" not in brand.text.lower() and "3.10" not in brand.text


def test_the_brands_context_knows_what_it_must_not_disclose(quote, suppliers, user):
    negotiation = services.quote_start(quote=quote, suppliers=suppliers)[0]
    services.negotiation_guide(
        negotiation=negotiation, author=user, text="Set the target to 1.23 please."
    )

    context = build_context(load_negotiation(negotiation.pk), 1)

    assert context.side is Side.BRAND
    secret = context.confidential
    assert {quote.max_price, quote.target_price, Decimal("1.23")} <= set(secret.figures)
    assert sorted(secret.names) == sorted(s.name for s in suppliers[1:])
    assert secret.staff_texts == ("Set the target to 1.23 please.",)


def test_an_agreed_deal_is_the_brands_outside_option_and_an_ended_one_offers_nothing(
    quote, suppliers
):
    """Agreed at 1.79 elsewhere, whoever accepted: those terms cap the brand's concessions
    here; a negotiation that ended without a deal no longer offers anything."""
    from negotiations.services.context import build_context, load_negotiation

    random.seed(8)
    first, second, third = services.quote_start(quote=quote, suppliers=suppliers)
    play(first, 4)
    play(second, 2)
    agreed = {
        "unit_price": "1.79",
        "quantity": quote.quantity,
        "lead_time_days": 10,
        "payment_terms_days": 30,
        "warranty_months": 12,
        "currency": "USD",
    }
    Negotiation.objects.filter(pk=first.pk).update(
        status=NegotiationStatus.AGREED, final_terms=agreed
    )
    Negotiation.objects.filter(pk=second.pk).update(status=NegotiationStatus.WALKED_AWAY)
    context = build_context(load_negotiation(third.pk), turn=1)
    assert [terms.to_dict() for terms in context.state.competing_offers] == [agreed]
    assert [terms.to_dict() for terms in context.state.agreed_elsewhere] == [agreed]


def test_a_better_deal_agreed_elsewhere_makes_the_brand_walk_away_on_its_next_turn(
    quote, suppliers
):
    """Seen in the product: the brand held 2.03 after another negotiation agreed at 1.97, and
    the supplier accepted the 2.03. Now the brand's next move withdraws: it walks away."""
    first, second, _ = services.quote_start(quote=quote, suppliers=suppliers)  # first: hardball
    play(first, 6)
    assert first.status not in ENDED_STATUSES
    context = build_context(load_negotiation(first.pk), turn=7)
    assert context.side is Side.BRAND
    standing = standing_offer(context.state.history, Side.BRAND)
    agreed = Terms(
        quote.target_price,
        quote.quantity,
        context.brand.ideal_lead,
        90,
        context.brand.target_warranty_months,
        quote.currency,
    )
    assert brand_utility(agreed, context.brand) > brand_utility(standing, context.brand)
    Negotiation.objects.filter(pk=second.pk).update(
        status=NegotiationStatus.AGREED, final_terms=agreed.to_dict()
    )
    first = play(first, 1)
    assert first.status == NegotiationStatus.WALKED_AWAY
    last = first.messages.filter(sender=Sender.BRAND).latest("seq")
    assert last.action == Action.WALK_AWAY


def test_a_question_asked_when_the_budget_ran_out_stays_internal_and_unasked(
    negotiation, monkeypatch
):
    Quote.objects.filter(pk=negotiation.quote_id).update(question_budget=1, questions_asked=1)
    _agent_says(monkeypatch, Move(Action.ASK_INFO, question="Is net 45 fine?"), "Question.")

    services.turn_run(negotiation_id=negotiation.pk, turn=1)

    negotiation.refresh_from_db()
    (message,) = negotiation.messages.all()
    assert (message.action, message.audience) == ("ask_info", MessageAudience.INTERNAL)
    assert "no questions to staff left" in message.guardrail_violations[0]
    assert negotiation.status == NegotiationStatus.ACTIVE
    assert build_context(load_negotiation(negotiation.pk), 2).side is Side.BRAND
    services.negotiation_pause(negotiation=negotiation)
    services.negotiation_resume(negotiation=negotiation)  # no open question to wait for
    negotiation.refresh_from_db()
    assert negotiation.status == NegotiationStatus.ACTIVE
