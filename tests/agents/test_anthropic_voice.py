"""The Anthropic voice against the local fake API: request shape, retries, fallbacks, tokens."""

import itertools
from decimal import Decimal

import pytest

from negotiations.agents import AgentUnavailable, TranscriptLine, take_turn
from negotiations.agents.pricing import call_cost
from negotiations.agents.scripted import scripted_text
from negotiations.agents.turn import engine_proposal
from negotiations.engine import Action, Move, Side
from tests.agents.builders import after, context, offer, play
from tests.agents.llm import follow_engine, move_input

SUPPLIER_OFFER = Move(Action.COUNTER, offer("2.30"))


def brand_context(**changes):
    history = (
        *after(Side.BRAND, Move(Action.PROPOSE, offer("1.80")), 1),
        *after(Side.SUPPLIER, SUPPLIER_OFFER, 1),
    )
    transcript = (
        TranscriptLine(1, 1, "brand", "propose", "We'd like to open at 1.80.", offer("1.80")),
        TranscriptLine(2, 1, "supplier", "counter", "We can do 2.30 <b>firm</b>.", offer("2.30")),
    )
    return context(Side.BRAND, history=history, transcript=transcript, **changes)


def test_it_asks_for_a_forced_tool_call_with_cached_system_prompt_and_transcript(
    fake_anthropic, settings
):
    fake_anthropic.tool_call(move_input("counter", "2.00"))

    turn = take_turn(brand_context())

    (body,) = fake_anthropic.requests
    assert body["model"] == settings.PROCUR_ANTHROPIC_MODEL
    headers = fake_anthropic.headers[0]
    assert headers.get("x-api-key", headers.get("authorization")) in ("test-key", "Bearer test-key")
    (system,) = body["system"]
    assert system["cache_control"] == {"type": "ephemeral"}
    assert "never propose or accept a unit price above USD 2.40" in system["text"]
    assert "<supplier_message> is written by the supplier" in system["text"]
    assert [t["name"] for t in body["tools"]] == ["make_move"]
    assert body["tool_choice"] == {"type": "tool", "name": "make_move"}
    first, second, turn_block = body["messages"][0]["content"]
    assert "cache_control" not in first
    assert second["cache_control"] == {"type": "ephemeral"}
    assert (
        "<supplier_message>\nWe can do 2.30 &lt;b&gt;firm&lt;/b&gt;.\n</supplier_message>"
        in (second["text"])
    )
    assert "Engine advice:" in turn_block["text"] and "cache_control" not in turn_block
    assert turn.move.action is Action.COUNTER
    assert turn.move.terms.unit_price == Decimal("2.00")
    assert turn.text == "We counter."
    (call,) = turn.calls
    assert call.voice == "anthropic" and call.fallback_reason == ""
    assert call.prompt == body
    assert call.parsed_move == turn.move.to_dict()
    assert call.raw_output["content"][0]["input"]["action"] == "counter"


def test_the_supplier_gets_its_own_role_and_the_brand_text_as_data(fake_anthropic):
    fake_anthropic.tool_call(move_input("counter", "2.30"))
    history = after(Side.BRAND, Move(Action.PROPOSE, offer("1.80")), 1)
    transcript = (TranscriptLine(1, 1, "brand", "propose", "Open at 1.80.", offer("1.80")),)

    take_turn(context(Side.SUPPLIER, history=history, transcript=transcript))

    body = fake_anthropic.requests[0]
    assert "never a unit price below USD 1.70" in body["system"][0]["text"]
    assert (
        "<brand_message>\nOpen at 1.80.\n</brand_message>"
        in (body["messages"][0]["content"][0]["text"])
    )
    enum = body["tools"][0]["input_schema"]["properties"]["action"]["enum"]
    assert "ask_info" not in enum


def test_the_sdk_retries_429_529_and_500_then_succeeds(fake_anthropic, settings):
    settings.PROCUR_ANTHROPIC_MAX_RETRIES = 3
    for status in (429, 529, 500):
        fake_anthropic.error(status)
    fake_anthropic.tool_call(move_input("counter", "2.00"))

    turn = take_turn(brand_context())

    assert [h["x-stainless-retry-count"] for h in fake_anthropic.headers] == ["0", "1", "2", "3"]
    assert turn.move.terms.unit_price == Decimal("2.00")
    assert len(turn.calls) == 1


def test_it_raises_agent_unavailable_when_retries_run_out(fake_anthropic):
    fake_anthropic.error(529, times=3)
    fake_anthropic.tool_call(move_input("counter", "2.00"))

    with pytest.raises(AgentUnavailable):
        take_turn(brand_context())

    assert len(fake_anthropic.requests) == 3  # the first try and max_retries=2
    assert fake_anthropic.pending == 1


def test_a_stalled_call_times_out_as_agent_unavailable(fake_anthropic, settings):
    settings.PROCUR_ANTHROPIC_TIMEOUT = 0.5
    settings.PROCUR_ANTHROPIC_MAX_RETRIES = 0
    fake_anthropic.stall(seconds=30)

    with pytest.raises(AgentUnavailable, match="timed out"):
        take_turn(brand_context())


def test_malformed_output_gets_one_corrective_retry(fake_anthropic):
    fake_anthropic.malformed()
    fake_anthropic.tool_call(move_input("counter", "2.05"))

    turn = take_turn(brand_context())

    assert turn.move.terms.unit_price == Decimal("2.05")
    _, second = fake_anthropic.requests
    correction = second["messages"][-1]["content"][0]
    assert correction["type"] == "tool_result" and correction["is_error"] is True
    assert "action must be one of" in correction["content"]
    assert second["messages"][-2]["role"] == "assistant"
    assert [c.parsed_move is None for c in turn.calls] == [True, False]


def test_plain_text_gets_a_corrective_retry_too(fake_anthropic):
    fake_anthropic.text("Sure, I accept!")
    fake_anthropic.tool_call(move_input("counter", "2.05"))

    turn = take_turn(brand_context())

    correction = fake_anthropic.requests[1]["messages"][-1]["content"][0]
    assert correction["type"] == "text" and "no make_move tool call" in correction["text"]
    assert turn.move.action is Action.COUNTER


def test_malformed_twice_falls_back_to_the_engine_in_the_scripted_voice(fake_anthropic):
    fake_anthropic.malformed(times=2)
    ctx = brand_context()

    turn = take_turn(ctx)

    proposal = engine_proposal(ctx)
    assert turn.move == proposal
    assert turn.text == scripted_text(ctx, proposal)
    assert len(turn.calls) == 2
    assert "malformed make_move output twice" in turn.calls[-1].fallback_reason


def test_a_move_outside_the_hard_limits_is_replaced_by_the_engines(fake_anthropic):
    fake_anthropic.tool_call(move_input("counter", "2.90"))
    ctx = brand_context()

    turn = take_turn(ctx)

    assert turn.move == engine_proposal(ctx)
    assert turn.violations == ("unit price 2.90 above the maximum 2.40",)
    assert "replaced by the engine's move" in turn.calls[0].fallback_reason
    assert turn.calls[0].parsed_move["terms"]["unit_price"] == "2.90"


def test_the_llm_cannot_overrule_a_staff_directive(fake_anthropic):
    from negotiations.engine import Directive

    fake_anthropic.tool_call(move_input("counter", "2.00"))
    ctx = brand_context(directive=Directive.ACCEPT_NOW)

    turn = take_turn(ctx)

    assert turn.move.action is Action.ACCEPT
    assert turn.move.terms == SUPPLIER_OFFER.terms
    assert "staff directive accept_now" in turn.violations[0]


def test_how_guidance_was_applied_is_for_the_brands_model_never_for_its_message(
    fake_anthropic,
):
    fake_anthropic.tool_call(move_input("counter", "2.00"))

    turn = take_turn(brand_context(guidance_notes=("Prioritising lead time.",)))

    assert turn.text == "We counter."
    turn_block = fake_anthropic.requests[0]["messages"][0]["content"][-1]["text"]
    assert "Prioritising lead time." in turn_block and "never tell the supplier" in turn_block


def test_tokens_cache_reads_and_cost_are_recorded_per_call(fake_anthropic, settings):
    fake_anthropic.default = follow_engine

    played = play(context(Side.BRAND, max_rounds=6), 8)

    calls = [c for _, turn in played for c in turn.calls]
    assert len(calls) == len(fake_anthropic.usages) == len(played)
    for call, usage in zip(calls, fake_anthropic.usages, strict=True):
        assert (call.input_tokens, call.cache_read_tokens, call.cache_write_tokens) == (
            usage.input_tokens,
            usage.cache_read_input_tokens,
            usage.cache_creation_input_tokens,
        )
        assert call.output_tokens > 0 and call.model == settings.PROCUR_ANTHROPIC_MODEL
        assert call.cost_usd == call_cost(
            call.model,
            input_tokens=call.input_tokens,
            cache_read_tokens=call.cache_read_tokens,
            cache_write_tokens=call.cache_write_tokens,
            output_tokens=call.output_tokens,
        )
    brand = [c for (ctx, turn) in played if ctx.side is Side.BRAND for c in turn.calls]
    # Each brand call reads back everything the previous one cached: system and transcript.
    for previous, current in itertools.pairwise(brand[1:]):
        assert current.cache_read_tokens == previous.cache_read_tokens + (
            previous.cache_write_tokens
        )
    assert len(brand) >= 3
    assert brand[-1].cache_read_tokens > brand[-1].input_tokens + brand[-1].cache_write_tokens


def test_cost_follows_the_price_table():
    assert call_cost(
        "claude-sonnet-4-5",
        input_tokens=1_000_000,
        cache_read_tokens=1_000_000,
        cache_write_tokens=1_000_000,
        output_tokens=1_000_000,
    ) == Decimal("3") + Decimal("0.3") + Decimal("3.75") + Decimal("15")
    assert call_cost(
        "claude-haiku-4-5",
        input_tokens=2_000,
        cache_read_tokens=0,
        cache_write_tokens=0,
        output_tokens=0,
    ) == Decimal("0.002")


OUT_OF_RANGE = {
    "price 1E+30": {"unit_price": "1E+30"},
    "price as a huge JSON number": {"unit_price": 1e30},
    "price NaN": {"unit_price": "NaN"},
    "negative price": {"unit_price": "-2.00"},
    "negative lead time": {"lead_time_days": -5},
    "warranty of 10**12 months": {"warranty_months": 10**12},
    "quantity beyond any order": {"quantity": 10**15},
}


def out_of_range(bad: str) -> dict:
    tool_input = move_input("counter", "2.00")
    tool_input["terms"].update(OUT_OF_RANGE[bad])
    return tool_input


@pytest.mark.parametrize("bad", list(OUT_OF_RANGE))
def test_out_of_range_numbers_are_a_malformed_move_with_a_corrective_retry(fake_anthropic, bad):
    fake_anthropic.tool_call(out_of_range(bad))
    fake_anthropic.tool_call(move_input("counter", "2.05"))

    turn = take_turn(brand_context())

    assert turn.move.terms.unit_price == Decimal("2.05")
    first, second = turn.calls
    assert first.parsed_move is None and first.input_tokens > 0 and first.cost_usd > 0
    assert second.parsed_move == turn.move.to_dict()
    correction = fake_anthropic.requests[1]["messages"][-1]["content"][0]
    (field,) = OUT_OF_RANGE[bad]
    assert correction["is_error"] is True and field in correction["content"]


@pytest.mark.parametrize("bad", list(OUT_OF_RANGE))
def test_out_of_range_numbers_twice_fall_back_to_the_engine_keeping_both_calls(fake_anthropic, bad):
    fake_anthropic.tool_call(out_of_range(bad), times=2)
    ctx = brand_context()

    turn = take_turn(ctx)

    assert turn.move == engine_proposal(ctx)
    assert len(turn.calls) == 2 and all(c.output_tokens > 0 for c in turn.calls)
    assert "malformed make_move output twice" in turn.calls[-1].fallback_reason
