"""Staff answers the engine acts on: partial shipments allowed, down to the minimum staff state."""

import pytest

from negotiations.engine import SUPPLIER_ASKS, partial_minimum

PARTIAL = SUPPLIER_ASKS + "Are partial shipments acceptable?"


@pytest.mark.parametrize(
    ("question", "answer", "least"),
    [
        (PARTIAL, "Yes, partial shipments are fine.", 1),
        (PARTIAL, "Yes, at least 3,000 units.", 3000),
        (PARTIAL, "Fine, as long as 60% comes in the first shipment.", 3000),
        (PARTIAL, "No problem, a minimum of 2500 please.", 2500),
        (PARTIAL, "Yes, at least 9000.", 5000),  # never more than the quote's quantity
        (PARTIAL, "No, we need all of it at once.", None),
        (PARTIAL, "We cannot accept that.", None),
        (PARTIAL, "Let me check with the warehouse.", None),
        ("The supplier can supply only 2500 of 5000 units. Accept a partial order?", "Yes.", 1),
        (SUPPLIER_ASKS + "Is 45-day payment acceptable?", "Yes, that is fine.", None),
    ],
)
def test_an_answer_allowing_partial_shipments_sets_the_least_quantity(question, answer, least):
    assert partial_minimum(question, answer, 5000) == least
