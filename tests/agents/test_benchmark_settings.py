"""The two settings the orchestration benchmark (bench/) turns: simulated LLM latency in the
scripted voice, and prompt caching in the anthropic voice."""

from negotiations.agents import TranscriptLine, take_turn
from negotiations.engine import Action, Move, Side
from tests.agents.builders import after, context, offer
from tests.agents.llm import follow_engine


def brand_context():
    history = (
        *after(Side.BRAND, Move(Action.PROPOSE, offer("1.80")), 1),
        *after(Side.SUPPLIER, Move(Action.COUNTER, offer("2.30")), 1),
    )
    transcript = (
        TranscriptLine(1, 1, "brand", "propose", "We'd like to open at 1.80.", offer("1.80")),
        TranscriptLine(2, 1, "supplier", "counter", "We can do 2.30.", offer("2.30")),
    )
    return context(Side.BRAND, history=history, transcript=transcript)


def test_the_scripted_voice_spends_the_simulated_llm_latency_inside_the_call(settings):
    settings.PROCUR_SIMULATED_LLM_LATENCY = 0.05

    (call,) = take_turn(brand_context()).calls

    assert call.voice == "scripted"
    assert call.latency_ms >= 50


def test_without_prompt_caching_no_block_is_marked_and_nothing_is_read_from_cache(
    fake_anthropic, settings
):
    settings.PROCUR_ANTHROPIC_PROMPT_CACHING = False
    fake_anthropic.default = follow_engine

    first = take_turn(brand_context())
    second = take_turn(brand_context())

    for body in fake_anthropic.requests:
        blocks = [*body["system"], *body["messages"][0]["content"]]
        assert not any("cache_control" in block for block in blocks)
    for turn in (first, second):
        (call,) = turn.calls
        assert call.cache_read_tokens == 0 and call.cache_write_tokens == 0
        assert call.input_tokens > 0


def test_with_prompt_caching_the_repeated_prefix_is_read_from_cache(fake_anthropic):
    fake_anthropic.default = follow_engine

    take_turn(brand_context())
    (call,) = take_turn(brand_context()).calls

    assert call.cache_read_tokens > 0 and call.cache_write_tokens == 0
