"""``/metrics`` in the Prometheus text format.

Two sources, chosen so that every number is right whichever process did the work:

* HTTP request counts and latencies are counted in the web process by ``MetricsMiddleware``
  (prometheus_client's default registry, which also carries the process metrics). Under
  ``procur.web`` (several daphne processes) each process writes them to files in
  ``PROMETHEUS_MULTIPROC_DIR`` and a scrape, whichever process serves it, adds them all up.
* Everything the workers do (negotiations started and ended, messages stored, LLM tokens and
  cost, turn durations) is read from the database at scrape time by ``ScrapeTimeCollector``, and
  queue depths from Redis with it. The database is the record every process
  writes to, so no multiprocess registry is needed and a worker restart loses nothing. Turn
  duration is the sum of ``AgentCall.latency_ms`` over the calls of one turn.
"""

import logging
import os
import secrets
import time
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Q, Sum, TextField
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)

from negotiations.agents.disclosure import TEXT_VIOLATION
from negotiations.models import (
    ENDED_STATUSES,
    TOKEN_FIELDS,
    AgentCall,
    Message,
    Negotiation,
    NegotiationStatus,
)
from procur.ops import broker, selectors

logger = logging.getLogger(__name__)

TURN_BUCKETS_SECONDS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 90.0)
# Token counts by kind ("input", "output", "cache_read", "cache_write") and their column.
_TOKEN_FIELDS = {name.removesuffix("_tokens"): name for name in TOKEN_FIELDS}

# The method label's values: a client may send any token as its method, and each new label value
# is a new time series kept for the life of the process.
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_METHOD = "other"

HTTP_REQUESTS = Counter(
    "procur_http_requests",
    "HTTP requests served, by method, view and status.",
    ["method", "view", "status"],
)
HTTP_LATENCY = Histogram(
    "procur_http_request_duration_seconds",
    "Time to serve an HTTP request, by method and view.",
    ["method", "view"],
)


class MetricsMiddleware:
    """Counts and times every request, labelled by view name (bounded, unlike the path)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match else "unresolved"
        method = request.method if request.method in HTTP_METHODS else OTHER_METHOD
        HTTP_LATENCY.labels(method, view).observe(time.perf_counter() - started)
        HTTP_REQUESTS.labels(method, view, str(response.status_code)).inc()
        return response


class ScrapeTimeCollector:
    """Domain counters aggregated from Negotiation, Message and AgentCall, and queue depths
    from the broker, both read when Prometheus scrapes."""

    def describe(self) -> Iterable[Metric]:
        # Registration must not query the database (it happens before migrations may run).
        return []

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "procur_scrape_source_up", "1 when the source answered this scrape.", labels=["source"]
        )
        for source, families in (("database", self._database), ("broker", self._queues)):
            try:
                collected = list(families())
            except (DatabaseError, broker.BrokerUnavailable):
                logger.exception("metrics: the %s did not answer", source)
                up.add_metric([source], 0)
                continue
            yield from collected
            up.add_metric([source], 1)
        yield up

    def _database(self) -> Iterator[Metric]:
        by_status = dict(
            Negotiation.objects.values_list("status").annotate(n=Count("pk")).order_by()
        )
        started = CounterMetricFamily(
            "procur_negotiations_started", "Negotiations that left the queue (any later status)."
        )
        started.add_metric(
            [], sum(n for s, n in by_status.items() if s != NegotiationStatus.QUEUED)
        )
        yield started
        ended = CounterMetricFamily(
            "procur_negotiations_ended", "Negotiations ended, by outcome.", labels=["outcome"]
        )
        for status in sorted(ENDED_STATUSES):
            ended.add_metric([status], by_status.get(status, 0))
        yield ended
        open_now = GaugeMetricFamily(
            "procur_negotiations_open", "Negotiations not yet ended, by status.", labels=["status"]
        )
        for status in NegotiationStatus.values:
            if status not in ENDED_STATUSES:
                open_now.add_metric([status], by_status.get(status, 0))
        yield open_now
        stalled = GaugeMetricFamily(
            "procur_negotiations_stalled",
            "Running negotiations with no new message for longer than PROCUR_STALL_SECONDS.",
        )
        stalled.add_metric([], selectors.stalled_negotiations().count())
        yield stalled

        messages = CounterMetricFamily(
            "procur_messages_stored", "Messages stored, by sender.", labels=["sender"]
        )
        for sender, n in Message.objects.values_list("sender").annotate(n=Count("pk")).order_by():
            messages.add_metric([sender], n)
        yield messages
        yield from self._corrections()

        yield from self._llm_families()
        yield self._turn_duration()

    def _corrections(self) -> Iterator[Metric]:
        # A replaced text is recorded among the message's corrections with a fixed prefix.
        text_marker = '"' + TEXT_VIOLATION.format("")
        rows = (
            Message.objects.exclude(guardrail_violations=[])
            .annotate(recorded=Cast("guardrail_violations", TextField()))
            .values("sender")
            .annotate(n=Count("pk"), text=Count("pk", filter=Q(recorded__contains=text_marker)))
            .order_by("sender")
        )
        corrected = CounterMetricFamily(
            "procur_messages_corrected",
            "Agent messages the guardrails corrected (move or text), by sender.",
            labels=["sender"],
        )
        replaced = CounterMetricFamily(
            "procur_messages_text_replaced",
            "Agent messages whose text disclosed something confidential and was replaced.",
            labels=["sender"],
        )
        for row in rows:
            corrected.add_metric([row["sender"]], row["n"])
            replaced.add_metric([row["sender"]], row["text"])
        yield from (corrected, replaced)

    def _llm_families(self) -> Iterator[Metric]:
        rows = (
            AgentCall.objects.values("voice")
            .annotate(
                calls=Count("pk"),
                fallbacks=Count("pk", filter=~Q(fallback_reason="")),
                cost=Sum("cost_usd"),
                **{kind: Sum(column) for kind, column in _TOKEN_FIELDS.items()},
            )
            .order_by("voice")
        )
        calls = CounterMetricFamily(
            "procur_agent_calls", "Agent calls, by voice.", labels=["voice"]
        )
        fallbacks = CounterMetricFamily(
            "procur_agent_call_fallbacks",
            "Agent calls whose voice failed and fell back to the engine's own text.",
            labels=["voice"],
        )
        tokens = CounterMetricFamily(
            "procur_llm_tokens", "LLM tokens, by voice and kind.", labels=["voice", "kind"]
        )
        cost = CounterMetricFamily("procur_llm_cost_usd", "LLM cost in USD.", labels=["voice"])
        for row in rows:
            calls.add_metric([row["voice"]], row["calls"])
            fallbacks.add_metric([row["voice"]], row["fallbacks"])
            cost.add_metric([row["voice"]], float(row["cost"] or 0))
            for kind in _TOKEN_FIELDS:
                tokens.add_metric([row["voice"], kind], row[kind] or 0)
        yield from (calls, fallbacks, tokens, cost)

    def _turn_duration(self) -> Metric:
        """A histogram of turn durations, bucketed in SQL over per-turn sums of call latency."""
        per_turn = (
            AgentCall.objects.values("negotiation_id", "turn")
            .annotate(ms=Sum("latency_ms"))
            .order_by()
        )
        buckets = {
            f"le_{i}": Count("ms", filter=Q(ms__lte=bound * 1000))
            for i, bound in enumerate(TURN_BUCKETS_SECONDS)
        }
        totals = per_turn.aggregate(count=Count("ms"), total_ms=Sum("ms"), **buckets)
        histogram = HistogramMetricFamily(
            "procur_turn_duration_seconds",
            "Duration of an agent turn: the sum of its agent calls' latency.",
        )
        histogram.add_metric(
            [],
            buckets=[
                *((str(bound), totals[f"le_{i}"]) for i, bound in enumerate(TURN_BUCKETS_SECONDS)),
                ("+Inf", totals["count"]),
            ],
            sum_value=(totals["total_ms"] or 0) / 1000,
        )
        return histogram

    def _queues(self) -> Iterator[Metric]:
        gauge = GaugeMetricFamily(
            "procur_celery_queue_length", "Tasks waiting in a Celery queue.", labels=["queue"]
        )
        for name, depth in broker.queue_depths().items():
            gauge.add_metric([name], depth)
        yield gauge


SCRAPE_TIME_REGISTRY = CollectorRegistry(auto_describe=False)
SCRAPE_TIME_REGISTRY.register(ScrapeTimeCollector())


def _authorised(request: HttpRequest) -> bool:
    token = settings.PROCUR_METRICS_TOKEN
    if not token:
        # Settings refuse to start without a token when DEBUG is off; open only in development.
        return settings.DEBUG
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return secrets.compare_digest(given.encode(), token.encode())


@require_GET
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not _authorised(request):
        return HttpResponse("A bearer token is required.\n", status=401, content_type="text/plain")
    body = generate_latest(_http_registry()) + generate_latest(SCRAPE_TIME_REGISTRY)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)


def _http_registry() -> CollectorRegistry:
    """This process's HTTP metrics, or every web process's when they share a multiprocess
    directory (set before prometheus_client was imported, as ``procur.web`` does)."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry
