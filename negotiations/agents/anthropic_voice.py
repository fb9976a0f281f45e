"""The Anthropic voice: the official SDK, a forced ``make_move`` tool call, one corrective retry.

The SDK does the reliability work (its ``timeout``, ``max_retries`` and backoff on 429, 529 and
5xx); when a call still fails :class:`AgentUnavailable` is raised and the turn task retries
later. The move it returns is only a candidate: ``turn.take_turn`` puts it through the
guardrails.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import anthropic
from django.conf import settings

from negotiations.agents.context import AgentContext, AgentUnavailable, CallRecord, engine_input
from negotiations.agents.pricing import call_cost
from negotiations.agents.prompts import (
    BRAND_ACTIONS,
    SUPPLIER_ACTIONS,
    TOOL_NAME,
    build_request,
)
from negotiations.engine import Action, Move, Side, Terms

MAX_MESSAGE_CHARS = 4000


@dataclass(frozen=True)
class Spoken:
    """The LLM's candidate move and message (``move`` None: no usable answer, see the last
    call's ``fallback_reason``), and a record per API call."""

    move: Move | None
    text: str
    calls: tuple[CallRecord, ...]


class MalformedMove(ValueError):
    pass


@lru_cache(maxsize=8)
def _client(api_key: str, base_url: str | None, timeout: float, max_retries: int):
    return anthropic.Anthropic(
        api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries
    )


def client() -> anthropic.Anthropic:
    """A client from settings (cached per configuration, so connections are reused)."""
    return _client(
        settings.ANTHROPIC_API_KEY,
        settings.ANTHROPIC_BASE_URL,
        float(settings.PROCUR_ANTHROPIC_TIMEOUT),
        int(settings.PROCUR_ANTHROPIC_MAX_RETRIES),
    )


def speak(ctx: AgentContext, proposal: Move) -> Spoken:
    """Ask the model for ``ctx.side``'s move with the engine's ``proposal`` as advice."""
    request = build_request(ctx, proposal, model=settings.PROCUR_ANTHROPIC_MODEL)
    response, record = _call(ctx, request)
    try:
        move, text = parse_move(ctx, response)
        return Spoken(move, text, (_parsed(record, move),))
    except MalformedMove as first:
        retry = _corrective(request, response, str(first))
        response2, record2 = _call(ctx, retry)
        try:
            move, text = parse_move(ctx, response2)
            return Spoken(move, text, (record, _parsed(record2, move)))
        except MalformedMove as second:
            reason = (
                f"malformed {TOOL_NAME} output twice ({first}; then {second}): "
                "the engine's move in the scripted voice"
            )
            failed = dataclasses.replace(record2, fallback_reason=reason)
            return Spoken(None, "", (record, failed))


def _parsed(record: CallRecord, move: Move) -> CallRecord:
    return dataclasses.replace(record, parsed_move=move.to_dict())


def _call(ctx: AgentContext, request: dict[str, Any]) -> tuple[Any, CallRecord]:
    started = time.monotonic()
    try:
        response = client().messages.create(**request)
    except anthropic.APIError as exc:
        raise AgentUnavailable(f"Anthropic API unavailable: {exc}") from exc
    latency = int((time.monotonic() - started) * 1000)
    usage = response.usage
    tokens = {
        "input_tokens": usage.input_tokens or 0,
        "cache_read_tokens": usage.cache_read_input_tokens or 0,
        "cache_write_tokens": usage.cache_creation_input_tokens or 0,
        "output_tokens": usage.output_tokens or 0,
    }
    record = CallRecord(
        voice="anthropic",
        model=response.model or request["model"],
        engine_input=engine_input(ctx),
        prompt=request,
        raw_output=response.model_dump(mode="json"),
        parsed_move=None,
        cost_usd=call_cost(request["model"], **tokens),
        latency_ms=latency,
        **tokens,
    )
    return response, record


def _corrective(request: dict[str, Any], response: Any, error: str) -> dict[str, Any]:
    """The same conversation plus the bad answer and what was wrong with it."""
    content = [block.model_dump(mode="json", exclude_none=True) for block in response.content]
    tool_use = next((b for b in content if b.get("type") == "tool_use"), None)
    correction = f"Your {TOOL_NAME} call was invalid: {error}. Call {TOOL_NAME} again, correctly."
    if tool_use is not None:
        reply: list[dict[str, Any]] = [
            {
                "type": "tool_result",
                "tool_use_id": tool_use["id"],
                "is_error": True,
                "content": correction,
            }
        ]
    else:
        reply = [{"type": "text", "text": correction}]
    messages = [
        *request["messages"],
        {"role": "assistant", "content": content or [{"type": "text", "text": "(no answer)"}]},
        {"role": "user", "content": reply},
    ]
    return {**request, "messages": messages}


def parse_move(ctx: AgentContext, response: Any) -> tuple[Move, str]:
    """The ``make_move`` input as a Move and its message; raises :class:`MalformedMove`."""
    call = next((b for b in response.content if b.type == "tool_use" and b.name == TOOL_NAME), None)
    if call is None:
        raise MalformedMove(f"no {TOOL_NAME} tool call in the answer")
    data = call.input
    if not isinstance(data, dict):
        raise MalformedMove("the tool input is not an object")
    allowed = BRAND_ACTIONS if ctx.side is Side.BRAND else SUPPLIER_ACTIONS
    action_name = data.get("action")
    if action_name not in allowed:
        raise MalformedMove(f"action must be one of {list(allowed)}, got {action_name!r}")
    action = Action(action_name)
    text = data.get("message")
    if not isinstance(text, str) or not text.strip():
        raise MalformedMove("message must be a non-empty string")
    if len(text) > MAX_MESSAGE_CHARS:
        raise MalformedMove(f"message is longer than {MAX_MESSAGE_CHARS} characters")
    terms = _terms(ctx, data.get("terms"))
    if action in (Action.PROPOSE, Action.COUNTER) and terms is None:
        raise MalformedMove(f"{action.value} needs terms")
    question = data.get("question")
    if question is not None and not isinstance(question, str):
        raise MalformedMove("question must be a string or null")
    if action is Action.ASK_INFO and not (question or "").strip():
        raise MalformedMove("ask_info needs the question for staff")
    strategies = data.get("strategies") or []
    if not isinstance(strategies, list) or not all(isinstance(s, str) for s in strategies):
        raise MalformedMove("strategies must be a list of strings")
    move = Move(
        action,
        terms if action in (Action.PROPOSE, Action.COUNTER, Action.ACCEPT) else None,
        strategies=tuple(s[:40] for s in strategies[:8]),
        rationale=("Chosen by the language model, with the engine's proposal as advice.",),
        question=question.strip() if question and question.strip() else None,
    )
    return move, text.strip()


def _terms(ctx: AgentContext, data: Any) -> Terms | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise MalformedMove("terms must be an object")
    try:
        price = Decimal(str(data.get("unit_price")))
    except InvalidOperation as exc:
        raise MalformedMove(
            f"terms.unit_price is not a number: {data.get('unit_price')!r}"
        ) from exc
    try:
        return Terms.from_dict(
            {
                **data,
                "unit_price": str(price),
                "currency": data.get("currency") or ctx.quote.currency,
            }
        )
    except (ValueError, ArithmeticError) as exc:  # out of range, not finite, not an int
        raise MalformedMove(str(exc)) from exc
