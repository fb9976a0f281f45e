"""Helpers for the Anthropic-voice tests: fake replies built from the request."""

from __future__ import annotations

import json
from typing import Any

from tests.fake_anthropic import Reply


def engine_advice(body: dict[str, Any]) -> dict[str, Any]:
    """The engine's proposal as the turn block of ``body`` states it."""
    turn = body["messages"][0]["content"][-1]["text"]
    line = next(x for x in turn.splitlines() if x.startswith("Engine advice: "))
    return json.loads(line.removeprefix("Engine advice: "))


def follow_engine(body: dict[str, Any]) -> Reply:
    """A model that takes the engine's advice and writes a short message."""
    advice = engine_advice(body)
    action = advice["action"]
    terms = advice["terms"]
    text = f"LLM says: {action}" + (f" at {terms['unit_price']}" if terms else "")
    return Reply(
        "tool",
        {
            "action": action,
            "terms": terms,
            "message": text,
            "strategies": advice["strategies"],
            "question": advice["question"],
        },
    )


def move_input(action: str, price: str | None = None, **terms: Any) -> dict[str, Any]:
    """A make_move input; with ``price``, full terms for the test quote."""
    full = None
    if price is not None:
        full = {
            "unit_price": price,
            "quantity": 5000,
            "lead_time_days": 30,
            "payment_terms_days": 30,
            "warranty_months": 12,
            **terms,
        }
    return {"action": action, "terms": full, "message": f"We {action}.", "strategies": []}
