"""/ops/ counts the negotiations waiting on an invited supplier and lists the nearest deadlines,
for the operator's organisation only."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from negotiations.models import NegotiationStatus, SupplierMode
from procur.ops import selectors
from tests.factories import OrganisationFactory
from tests.ops.conftest import make_negotiation

pytestmark = pytest.mark.django_db


def waiting(organisation, hours: float):
    return make_negotiation(
        organisation,
        status=NegotiationStatus.WAITING_FOR_SUPPLIER,
        supplier_mode=SupplierMode.INVITED,
        reply_due_at=timezone.now() + timedelta(hours=hours),
        remind_at=timezone.now() + timedelta(hours=hours / 2),
    )


def test_ops_counts_the_waiting_and_lists_the_nearest_deadlines_first(
    client, operator, organisation
):
    later, sooner = waiting(organisation, 30), waiting(organisation, 2)
    make_negotiation(organisation)  # running: not waiting
    waiting(OrganisationFactory(), 1)  # another organisation's
    client.force_login(operator)
    page = client.get("/ops/").content.decode()
    assert 'data-waiting="2"' in page and "2 negotiations wait on an invited supplier" in page
    assert page.index(f'data-waiting-for="{sooner.pk}"') < page.index(
        f'data-waiting-for="{later.pk}"'
    )
    summary = selectors.waiting_for_suppliers(operator, limit=1)
    assert summary.count == 2 and summary.next_due == [sooner]


def test_no_waiting_negotiation_says_so(client, operator):
    client.force_login(operator)
    assert (
        "0 negotiations wait on an invited supplier's reply."
        in client.get("/ops/").content.decode()
    )


def test_the_nearest_deadlines_are_read_through_the_sweeps_index(organisation):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plan (production's database)")
    waiting(organisation, 3)
    with CaptureQueriesContext(connection) as queries:
        assert selectors.waiting_for_suppliers().next_due
    [listing] = [q["sql"] for q in queries.captured_queries if "ORDER BY" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # a tiny table: make the planner show its pick
        cursor.execute("EXPLAIN " + listing)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    assert "negotiation_reply_due" in plan
