"""The operations page: queues, workers, failures and stalled negotiations, refreshed by htmx."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from negotiations import services
from procur.ops import broker, selectors

OPS_PERMISSION = "ops.view_operations"


def _broker_state() -> dict:
    """Queue depths and workers, or the reason the broker could not say."""
    try:
        return {"queues": broker.queue_depths(), "workers": broker.workers()}
    except broker.BrokerUnavailable as exc:
        return {"broker_error": str(exc), "queues": {}, "workers": []}


@require_GET
@never_cache
@login_required
@permission_required(OPS_PERMISSION, raise_exception=True)
def ops_page(request: HttpRequest) -> HttpResponse:
    context = {
        **_broker_state(),
        "stalled": selectors.stalled_negotiations(request.user),
        "failed": selectors.failed_negotiations(request.user),
        "now": timezone.now(),
    }
    # htmx polls for the panels alone; the full page renders the same partial.
    template = "ops/page_panels.html" if request.htmx else "ops/page.html"
    return render(request, template, context)


@require_POST
@login_required
@permission_required(OPS_PERMISSION, raise_exception=True)
def ops_requeue(request: HttpRequest, pk: int) -> HttpResponse:
    negotiation = selectors.negotiation_for_operator(request.user, pk)
    try:
        services.negotiation_requeue(negotiation=negotiation)
    except services.ProcurError as exc:
        messages.error(request, f"{negotiation}: {exc.message}")
    else:
        messages.success(request, f"Requeued the next turn of {negotiation}.")
    return redirect("ops")
