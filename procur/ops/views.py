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


def _broker_state(user) -> dict:
    """Superusers: queue depths, every worker and its tasks (the platform). Operators of an
    organisation: whether any worker is online and their own organisation's turns on them."""
    try:
        workers = broker.workers()
        queues = broker.queue_depths() if user.is_superuser else {}
    except broker.BrokerUnavailable as exc:
        error = str(exc) if user.is_superuser else "ask your platform administrator"
        return {"broker_error": error, "queues": {}, "workers": [], "held_turns": []}
    return {
        "platform": user.is_superuser,
        "queues": queues,
        "workers": workers if user.is_superuser else [],
        "workers_online": sum(w.online for w in workers),
        "held_turns": selectors.held_turns(user, workers),
    }


@require_GET
@never_cache
@login_required
@permission_required(OPS_PERMISSION, raise_exception=True)
def ops_page(request: HttpRequest) -> HttpResponse:
    context = {
        **_broker_state(request.user),
        "stalled": selectors.stalled_negotiations(request.user),
        "failed": selectors.failed_negotiations(request.user),
        "waiting": selectors.waiting_for_suppliers(request.user),
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
