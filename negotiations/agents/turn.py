"""One agent turn: engine proposal → voice → guardrails → message (its text checked too)."""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING

from django.conf import settings

from negotiations.agents.context import AgentContext, AgentTurn, CallRecord, engine_input
from negotiations.agents.disclosure import TEXT_VIOLATION, disclosure_problems
from negotiations.agents.scripted import scripted_text
from negotiations.engine import (
    Action,
    BrandNegotiator,
    GuardrailResult,
    Move,
    Side,
    SupplierNegotiator,
    enforce_brand_limits,
    enforce_supplier_limits,
    standing_offer,
)

if TYPE_CHECKING:
    from negotiations.agents.anthropic_voice import Spoken


def take_turn(ctx: AgentContext) -> AgentTurn:
    """The move of ``ctx.side`` and its message, in the voice ``settings.PROCUR_LLM`` names.

    Raises :class:`~negotiations.agents.context.AgentUnavailable` when the LLM cannot be
    reached (the turn task retries later).
    """
    started = time.monotonic()
    proposal = engine_proposal(ctx)
    if settings.PROCUR_LLM == "anthropic":
        # Imported here so the scripted path never needs the SDK configured.
        from negotiations.agents.anthropic_voice import speak

        return _relayed(ctx, _checked_text(ctx, _llm_turn(ctx, proposal, speak(ctx, proposal))))
    if settings.PROCUR_SIMULATED_LLM_LATENCY:
        # Stands in for an LLM call, so benchmarks of the scripted voice have a realistic pace.
        time.sleep(settings.PROCUR_SIMULATED_LLM_LATENCY)
    record = CallRecord(
        voice="scripted",
        model="",
        engine_input=engine_input(ctx),
        prompt=None,
        raw_output=None,
        parsed_move=proposal.to_dict(),
        latency_ms=int((time.monotonic() - started) * 1000),
    )
    turn = AgentTurn(proposal, scripted_text(ctx, proposal), proposal.violations, (record,))
    return _relayed(ctx, _checked_text(ctx, turn))


def _relayed(ctx: AgentContext, turn: AgentTurn) -> AgentTurn:
    """The brand passes staff's answer to the supplier's question on, above its message (the
    answer was written for the supplier, so it is not checked as a disclosure)."""
    if not ctx.relay:
        return turn
    return dataclasses.replace(turn, text=f"{ctx.relay}\n\n{turn.text}")


def _checked_text(ctx: AgentContext, turn: AgentTurn) -> AgentTurn:
    """The turn with a text that discloses nothing confidential: a brand text that does is
    replaced by the scripted voice's text for the same move (without its tactic remarks, should
    even that disclose something), recorded like a guardrail correction."""
    problems = disclosure_problems(ctx, turn.move, turn.text)
    if not problems:
        return turn
    text = scripted_text(ctx, turn.move)
    if disclosure_problems(ctx, turn.move, text):
        text = scripted_text(ctx, turn.move, remarks=False)
    violations = tuple(TEXT_VIOLATION.format(p) for p in problems)
    calls = list(turn.calls)
    reason = "; ".join(violations) + ": replaced by the scripted voice's text"
    calls[-1] = dataclasses.replace(
        calls[-1], fallback_reason="; ".join(filter(None, (calls[-1].fallback_reason, reason)))
    )
    return AgentTurn(turn.move, text, (*turn.violations, *violations), tuple(calls))


def engine_proposal(ctx: AgentContext) -> Move:
    """The engine's move for ``ctx.side`` (already inside that side's hard limits)."""
    if ctx.side is Side.BRAND:
        return BrandNegotiator(ctx.brand, seed=ctx.seed).respond(ctx.state)
    return SupplierNegotiator(ctx.supplier, seed=ctx.seed).respond(ctx.state)


def enforce_limits(ctx: AgentContext, move: Move) -> GuardrailResult:
    """The engine's guardrails for ``ctx.side``, against the other side's offer on the table."""
    on_table = standing_offer(ctx.state.history, ctx.side.other)
    if ctx.side is Side.BRAND:
        return enforce_brand_limits(move, ctx.brand, on_table)
    return enforce_supplier_limits(move, ctx.supplier, ctx.quote.quantity, on_table)


def policy_violations(ctx: AgentContext, move: Move, proposal: Move) -> list[str]:
    """Rules beyond the price limits that an LLM's move must respect."""
    problems: list[str] = []
    if move.action is Action.ASK_INFO:
        if ctx.side is Side.SUPPLIER:
            problems.append("only the brand may ask its staff a question")
        elif ctx.state.questions_left < 1:
            problems.append("no questions to staff left")
        elif not move.question:
            problems.append("a question to staff needs the question")
    if ctx.state.directive is not None and move.action is not proposal.action:
        problems.append(
            f"staff directive {ctx.state.directive.value} requires {proposal.action.value}, "
            f"not {move.action.value}"
        )
    return problems


def _llm_turn(ctx: AgentContext, proposal: Move, spoken: Spoken) -> AgentTurn:
    """Check the LLM's move; outside the limits (or no usable move) the engine's move stands."""
    calls = list(spoken.calls)
    if spoken.move is None:
        return AgentTurn(proposal, scripted_text(ctx, proposal), proposal.violations, tuple(calls))
    guarded = enforce_limits(ctx, spoken.move)
    problems = [*guarded.violations, *policy_violations(ctx, guarded.move, proposal)]
    if not problems:
        return AgentTurn(guarded.move, spoken.text, (), tuple(calls))
    reason = "LLM move outside the limits, replaced by the engine's move: " + "; ".join(problems)
    calls[-1] = dataclasses.replace(calls[-1], fallback_reason=reason)
    violations = (*problems, *proposal.violations)
    return AgentTurn(proposal, scripted_text(ctx, proposal), tuple(violations), tuple(calls))
