"""The stalled-negotiation sweep: requeue the turn of every negotiation that stopped moving."""

import logging

from negotiations import services
from procur.ops import selectors
from procur.ops.logging import bind_negotiation

logger = logging.getLogger(__name__)


def stalled_negotiations_requeue() -> list[int]:
    """Requeue each stalled negotiation's next turn; returns the ids requeued.

    One negotiation's refusal (it ended or was paused meanwhile) never stops the others.
    """
    requeued = []
    for negotiation in selectors.stalled_negotiations():
        with bind_negotiation(negotiation.pk):
            try:
                services.negotiation_requeue(negotiation=negotiation)
            except services.ProcurError as exc:
                logger.info("stalled negotiation not requeued: %s", exc.message)
                continue
            logger.warning("requeued the turn of a stalled negotiation")
            requeued.append(negotiation.pk)
    return requeued
