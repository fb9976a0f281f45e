"""The AI agents: an agent turn is context → engine proposal → voice → guardrails → message.

Two voices behind :func:`take_turn`, chosen by ``settings.PROCUR_LLM``: ``scripted`` (offline,
deterministic for a seed) and ``anthropic`` (the official SDK, a forced ``make_move`` tool
call, the engine's proposal as advice and the engine's guardrails as the last word).
"""

from negotiations.agents.context import (
    AgentContext,
    AgentTurn,
    AgentUnavailable,
    CallRecord,
    QuoteFacts,
    TranscriptLine,
)
from negotiations.agents.turn import take_turn

__all__ = [
    "AgentContext",
    "AgentTurn",
    "AgentUnavailable",
    "CallRecord",
    "QuoteFacts",
    "TranscriptLine",
    "take_turn",
]
