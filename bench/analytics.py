"""Analytics page benchmark: ``/analytics/`` over a year of 100,000 negotiations and 2,000,000
messages on PostgreSQL; p50/p95 render time, CPU per render and queries per render.

    DATABASE_URL=postgres://.../procur_analytics_bench .venv/bin/python -m bench.analytics
    ... -m bench.analytics --negotiations 3000     # a quick run

Use a database of its own: it is migrated, filled once (rows generated inside PostgreSQL with
``generate_series``, from template rows the ORM prepares, so every column gets its model
default), then reused by later runs of the same size. Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date, timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procur.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.sql import bench_suppliers, insert_select  # noqa: E402
from negotiations.models import (  # noqa: E402
    ENDED_STATUSES,
    AgentCall,
    Message,
    Negotiation,
    Quote,
)
from negotiations.services.summary import negotiations_summarise  # noqa: E402
from procur.accounts.models import Organisation, User  # noqa: E402
from records.analytics.summaries import summaries_rebuild  # noqa: E402

ORGANISATION = "Analytics bench"
SUPPLIERS = 30
MESSAGES_PER = 20
CALLS_PER = 10


def fill(negotiations: int) -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(name=ORGANISATION, slug="analytics-bench")
    ours = Negotiation.objects.filter(quote__organisation=organisation)
    if ours.count() == negotiations // 3 * 3:  # filled before at this size
        return organisation
    # Transcripts protect their quotes: delete from the leaves up.
    AgentCall.objects.filter(negotiation__in=ours).delete()
    Message.objects.filter(negotiation__in=ours).delete()
    Quote.objects.filter(organisation=organisation).update(awarded_negotiation=None)
    ours.delete()
    Quote.objects.filter(organisation=organisation).delete()
    user, _ = User.objects.get_or_create(username="analyst", organisation=organisation)
    suppliers = bench_suppliers(organisation, SUPPLIERS)
    quotes = negotiations // 3
    template = Quote(
        organisation=organisation,
        created_by=user,
        product="Bench bottle",
        quantity=1000,
        target_price="2.00",
        max_price="2.40",
        needed_by=date.today(),
    )
    insert_select(
        Quote,
        template,
        {
            "quantity": "500 + (g % 10) * 100",
            "created_at": "now() - (g % 365) * interval '1 day'",
            "started_at": "now() - (g % 365) * interval '1 day'",
            # Still negotiating: those created today (a year's quotes have long ended).
            "status": "CASE WHEN g % 365 = 0 THEN 'negotiating' WHEN g % 10 < 8 THEN 'awarded' "
            "WHEN g % 10 = 8 THEN 'closed' ELSE 'awaiting_approval' END",
        },
        f"FROM generate_series(1, {quotes}) g",
    )
    first_supplier = suppliers[0].pk
    insert_select(
        Negotiation,
        Negotiation(quote_id=0, supplier=suppliers[0], slot=1),
        {
            "quote_id": "q.id",
            "slot": "s",
            "supplier_id": f"{first_supplier} + ((q.id * 3 + s) % {SUPPLIERS})",
            "round": "2 + (q.id + s) % 11",
            "status": "CASE WHEN q.status = 'negotiating' THEN 'active' "
            "WHEN (q.id + s) % 4 < 2 OR s = 1 THEN 'agreed' "
            "WHEN (q.id + s) % 4 = 2 THEN 'impasse' ELSE 'walked_away' END",
            "final_terms": "CASE WHEN q.status <> 'negotiating' AND ((q.id + s) % 4 < 2 OR s = 1) "
            "THEN jsonb_build_object('unit_price', (1.80 + ((q.id + s) % 50) / 100.0)::text) END",
            "created_at": "q.created_at",
        },
        f"FROM negotiations_quote q CROSS JOIN generate_series(1, 3) s "
        f"WHERE q.organisation_id = {organisation.pk}",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE negotiations_quote q SET awarded_negotiation_id = n.id, "
            "awarded_at = q.started_at + interval '5 hours' FROM negotiations_negotiation n "
            "WHERE n.quote_id = q.id AND n.slot = 1 AND q.status = 'awarded' "
            "AND q.organisation_id = %s",
            [organisation.pk],
        )
    insert_select(
        Message,
        Message(negotiation_id=0, seq=1, sender="supplier", text="Our offer."),
        {
            "negotiation_id": "n.id",
            "seq": "m",
            "round": "(m + 1) / 2",
            "sender": "CASE WHEN m % 10 = 0 THEN 'staff' WHEN m % 2 = 1 THEN 'supplier' "
            "ELSE 'brand' END",
            "audience": "CASE WHEN m % 10 = 0 THEN 'internal' ELSE 'shared' END",
            "action": "CASE WHEN m % 10 = 0 THEN 'guidance' ELSE 'counter' END",
            "terms": "CASE WHEN m % 10 <> 0 THEN jsonb_build_object('unit_price', "
            "(2.60 - m / 50.0)::text) END",
            "created_at": "n.created_at + m * interval '1 minute'",
        },
        f"FROM negotiations_negotiation n CROSS JOIN generate_series(1, {MESSAGES_PER}) m "
        f"WHERE n.quote_id IN (SELECT id FROM negotiations_quote WHERE organisation_id = "
        f"{organisation.pk})",
    )
    insert_select(
        AgentCall,
        AgentCall(negotiation_id=0, turn=1, side="brand", voice="bench", cost_usd="0.002"),
        {"negotiation_id": "n.id", "turn": "t", "created_at": "n.created_at"},
        f"FROM negotiations_negotiation n CROSS JOIN generate_series(1, {CALLS_PER}) t "
        f"WHERE n.quote_id IN (SELECT id FROM negotiations_quote WHERE organisation_id = "
        f"{organisation.pk})",
    )
    # What negotiation_ended stores as each negotiation ends, and the award as each quote is
    # decided: the negotiations' summaries, then the daily summary rows.
    negotiations_summarise(
        Negotiation.objects.filter(quote__organisation=organisation, status__in=ENDED_STATUSES)
    )
    summaries_rebuild(organisations=[organisation.pk])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return organisation


def measure(organisation: Organisation, renders: int) -> dict:
    """Render the page for the whole year ``renders`` times (after one warm-up)."""
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username="analyst"))
    end = timezone.localdate()
    url = f"/analytics/?start={end - timedelta(days=365)}&end={end}"
    assert client.get(url).status_code == 200  # warm-up: connections, templates
    times, cpu, queries = [], [], []
    for _ in range(renders):
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200
        queries.append(len(captured.captured_queries))
    times.sort()
    return {
        "renders": renders,
        "p50_ms": statistics.median(times),
        "p95_ms": times[max(0, round(0.95 * len(times)) - 1)],
        "max_ms": times[-1],
        # This process's CPU per render (Django's side, without PostgreSQL's): less sensitive
        # than wall time to other work on the machine.
        "cpu_p50_ms": statistics.median(cpu),
        "queries": sorted(set(queries)),
        "negotiations": Negotiation.objects.filter(quote__organisation=organisation).count(),
        "messages": Message.objects.filter(negotiation__quote__organisation=organisation).count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--negotiations", type=int, default=100_000)
    parser.add_argument("--renders", type=int, default=30)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    organisation = fill(args.negotiations)
    print(f"data ready in {time.perf_counter() - started:.1f} s")
    result = measure(organisation, args.renders)
    for key, value in result.items():
        print(f"{key}: {value:.1f}" if isinstance(value, float) else f"{key}: {value}")


if __name__ == "__main__":
    main()
