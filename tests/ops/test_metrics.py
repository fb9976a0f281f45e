"""/metrics: HTTP, domain counters read from the database, turn durations and queue depth."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from negotiations.models import AgentCall, Message, NegotiationStatus
from procur.celery import app as celery_app
from tests.ops.conftest import add_turn, make_negotiation

pytestmark = pytest.mark.django_db

TOKEN = "scrape-token"


@pytest.fixture(autouse=True)
def metrics_token(settings):
    """Production's setting (the tests run with DEBUG off): /metrics needs the token."""
    settings.PROCUR_METRICS_TOKEN = TOKEN


def scrape(client, **headers) -> dict[tuple[str, tuple], float]:
    headers.setdefault("Authorization", f"Bearer {TOKEN}")
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_counters_move_after_a_negotiation(client, organisation):
    before = scrape(client)
    negotiation = make_negotiation(organisation)
    add_turn(negotiation, turn=1, latency_ms=700, input_tokens=1000, output_tokens=200)
    add_turn(negotiation, turn=2, latency_ms=2500, input_tokens=500, output_tokens=100)
    # A second call within turn 2 (a corrective retry): the turn lasts both calls together.
    AgentCall.objects.create(
        negotiation=negotiation, turn=2, side="brand", voice="anthropic", latency_ms=500
    )
    negotiation.status = NegotiationStatus.AGREED
    negotiation.save()
    make_negotiation(organisation, status=NegotiationStatus.FAILED)
    make_negotiation(organisation, status=NegotiationStatus.QUEUED)

    after = scrape(client)
    expected = [
        (("procur_negotiations_started_total",), 2),
        (("procur_negotiations_ended_total", ("outcome", "agreed")), 1),
        (("procur_negotiations_ended_total", ("outcome", "failed")), 1),
        (("procur_negotiations_ended_total", ("outcome", "impasse")), 0),
        (("procur_negotiations_open", ("status", "queued")), 1),
        (("procur_messages_stored_total", ("sender", "brand")), 2),
        (("procur_agent_calls_total", ("voice", "anthropic")), 3),
        (("procur_llm_tokens_total", ("kind", "input"), ("voice", "anthropic")), 1500),
        (("procur_llm_tokens_total", ("kind", "output"), ("voice", "anthropic")), 300),
        (("procur_turn_duration_seconds_count",), 2),
        (("procur_turn_duration_seconds_bucket", ("le", "1.0")), 1),
        (("procur_turn_duration_seconds_bucket", ("le", "2.5")), 1),
        (("procur_turn_duration_seconds_bucket", ("le", "5.0")), 2),
    ]
    for (name, *labels), count in expected:
        assert value(before, name, **dict(labels)) == 0, name
        assert value(after, name, **dict(labels)) == count, (name, labels)
    assert value(after, "procur_llm_cost_usd_total", voice="anthropic") == pytest.approx(0.012)
    assert value(after, "procur_turn_duration_seconds_sum") == pytest.approx(3.7)
    assert value(after, "procur_scrape_source_up", source="database") == 1


def test_guardrail_corrections_and_replaced_texts_are_counted(client, organisation):
    negotiation = make_negotiation(organisation)
    for seq, violations in enumerate(
        [
            ["unit price 2.90 above the maximum 2.40"],
            ["message text states the confidential figure USD 2.40"],
            [],
        ],
        start=1,
    ):
        Message.objects.create(
            negotiation=negotiation,
            seq=seq,
            sender="brand",
            text="x",
            guardrail_violations=violations,
        )

    after = scrape(client)

    assert value(after, "procur_messages_corrected_total", sender="brand") == 2
    assert value(after, "procur_messages_text_replaced_total", sender="brand") == 1


def test_http_requests_are_counted_by_view_and_status(client):
    before = scrape(client)
    client.get("/healthz")
    client.get("/no-such-page")
    after = scrape(client)
    ok = dict(method="GET", view="healthz", status="200")
    missing = dict(method="GET", view="unresolved", status="404")
    assert (
        value(after, "procur_http_requests_total", **ok)
        == value(before, "procur_http_requests_total", **ok) + 1
    )
    assert (
        value(after, "procur_http_requests_total", **missing)
        == value(before, "procur_http_requests_total", **missing) + 1
    )
    latency = dict(method="GET", view="healthz")
    assert value(after, "procur_http_request_duration_seconds_count", **latency) >= 1


def test_queue_depth_is_read_from_the_broker(client):
    celery_app.control.purge()
    for _ in range(3):
        celery_app.send_task("procur.ops.tests.never_consumed")
    try:
        samples = scrape(client)
    finally:
        celery_app.control.purge()
    assert value(samples, "procur_celery_queue_length", queue="celery") == 3
    assert value(samples, "procur_scrape_source_up", source="broker") == 1


def test_an_unreachable_broker_is_reported_not_a_500(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    samples = scrape(client)
    assert value(samples, "procur_scrape_source_up", source="broker") == 0
    assert ("procur_celery_queue_length", (("queue", "celery"),)) not in samples


def test_a_metrics_token_is_required_when_set(client, settings):
    settings.PROCUR_METRICS_TOKEN = "s3cret"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert scrape(client, Authorization="Bearer s3cret")


def test_without_a_token_metrics_are_open_only_in_debug(client, settings):
    settings.PROCUR_METRICS_TOKEN = ""
    settings.DEBUG = False
    assert client.get("/metrics").status_code == 401
    settings.DEBUG = True
    assert client.get("/metrics").status_code == 200


def test_the_method_label_takes_values_from_a_fixed_set(client):
    for method in ("BREW", "PROPFIND", "X" * 200):
        client.generic(method, "/healthz")
    samples = scrape(client)
    methods = {
        dict(labels)["method"] for (name, labels) in samples if name == "procur_http_requests_total"
    }
    assert methods <= {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"}
    assert (
        value(samples, "procur_http_requests_total", method="other", view="healthz", status="405")
        >= 3
    )
