"""Pages of the negotiations app: thin views over selectors and services.

Every POST calls one service. A refusal (``services.ProcurError``) is shown to the user, never a
500. HTMX posts get the fragment they target back; the consequences arrive over the websocket.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from negotiations import selectors, services
from negotiations.filters import QuoteFilter
from negotiations.forms import AwardForm, InterventionForm, QuoteForm, clone_initial
from negotiations.models import Negotiation, Quote
from negotiations.room import (
    Room,
    column_of,
    load_room,
    render_column_fragment,
    render_quote_fragment,
)
from procur import ratelimit
from procur.accounts.tenancy import get_for_user
from procur.paging import query_without_page

QUOTES_PER_PAGE = 25
NEGOTIATION_ACTIONS: dict[str, Callable[..., Negotiation]] = {
    "pause": services.negotiation_pause,
    "resume": services.negotiation_resume,
    "cancel": services.negotiation_cancel,
    "retry": services.negotiation_retry,
}
QUOTE_ACTIONS: dict[str, Callable[..., Quote]] = {
    "pause": services.quote_pause,
    "resume": services.quote_resume,
    "cancel": services.quote_cancel,
}


def _get_quote_for_user(request: HttpRequest, pk: int) -> Quote:
    return get_for_user(Quote.objects.all(), request.user, pk)


def _get_negotiation_for_user(request: HttpRequest, pk: int) -> Negotiation:
    queryset = Negotiation.objects.select_related("quote", "supplier")
    return get_for_user(queryset, request.user, pk, field="quote__organisation")


def _room_url(quote: Quote) -> str:
    return reverse("quote_room", args=[quote.pk])


def _attempt(call: Callable[[], object]) -> str:
    """Run one service call: the user-facing reason if it refused, else ``""``."""
    try:
        call()
    except services.ProcurError as error:
        return error.message
    return ""


def _fragment_or_redirect(
    request: HttpRequest,
    quote: Quote,
    render_fragment: Callable[[Room], str],
    error: str,
    limited: ratelimit.Limited | None = None,
) -> HttpResponse:
    """HTMX: the re-rendered fragment (showing ``error``); a plain POST: back to the room.
    Over a rate limit: the same, as a 429 (a plain POST gets the message alone)."""
    if request.htmx:
        # Reloaded: the service just changed it.
        response = HttpResponse(render_fragment(load_room(Quote.objects.get(pk=quote.pk))))
        return ratelimit.too_many_requests(limited, response) if limited else response
    if limited:
        return ratelimit.too_many_requests(limited)
    if error:
        messages.error(request, error)
    return redirect(_room_url(quote))


# --- Dashboard -----------------------------------------------------------------------------------


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    filters = QuoteFilter(
        request.GET or None, queryset=selectors.quotes_for_dashboard(request.user), request=request
    )
    page = Paginator(filters.qs, QUOTES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "rows": selectors.quote_rows(list(page.object_list)),
        "page": page,
        "filters": filters,
        "query": query_without_page(request),
    }
    return render(request, "negotiations/dashboard.html", context)


# --- Creating and starting a quote ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def quote_create(request: HttpRequest) -> HttpResponse:
    if request.user.organisation_id is None:
        raise Http404("Quotes belong to an organisation; platform users work in the admin.")
    form = QuoteForm(request.POST or None, organisation=request.user.organisation)
    limited = ratelimit.hit("quotes", request.user) if request.method == "POST" else None
    if limited:
        form.add_error(None, limited.message)
    elif request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # a refused start leaves no half-made draft behind
                quote = form.save(commit=False)
                quote.created_by = request.user
                quote.save()
                services.quote_start(
                    quote=quote,
                    suppliers=form.cleaned_data["suppliers"] or None,
                    invited=form.cleaned_data["invite"],
                )
        except services.ProcurError as error:
            for field, errors in error.field_errors.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
            form.add_error(None, error.message)
        else:
            url = _room_url(quote)
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    template = "negotiations/quote_new_form.html" if request.htmx else "negotiations/quote_new.html"
    response = render(request, template, {"form": form})
    return ratelimit.too_many_requests(limited, response) if limited else response


@login_required
@require_safe
def quote_clone(request: HttpRequest, pk: int) -> HttpResponse:
    """The new-quote form filled from an existing request, to re-run it with other suppliers or
    limits: nothing is stored until it is submitted."""
    source = _get_quote_for_user(request, pk)
    form = QuoteForm(initial=clone_initial(source), organisation=request.user.organisation)
    return render(request, "negotiations/quote_new.html", {"form": form, "source": source})


@login_required
@require_POST
def quote_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a draft quote with Procur's shortlist."""
    quote = _get_quote_for_user(request, pk)
    try:
        services.quote_start(quote=quote)
    except services.ProcurError as error:
        messages.error(request, error.message)
    url = _room_url(quote)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


# --- The negotiation room ------------------------------------------------------------------------


@login_required
@require_safe
def quote_room(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _get_quote_for_user(request, pk)
    # Opening the room is reading what the quote's notifications said (the badge counts after).
    services.notifications_mark_read(user=request.user, quote=quote)
    room = load_room(quote, with_transcripts=True)
    return render(request, "negotiations/room.html", {"room": room, "quote": room.quote})


def _intervention(
    request: HttpRequest, post: Callable[[str, str | None], object]
) -> tuple[InterventionForm, str, ratelimit.Limited | None]:
    """Validate the posted text and hand it to ``post`` (guidance and answers share one rate
    limit); the form to show next, any error, and the refusal if over the limit."""
    form = InterventionForm(request.POST)
    if limited := ratelimit.hit("interventions", request.user):
        return form, limited.message, limited
    if not form.is_valid():
        return form, "Write something first (at most 2,000 characters).", None
    text, client_id = form.cleaned_data["text"], form.cleaned_data["client_id"] or None
    error = _attempt(lambda: post(text, client_id))
    return (form, error, None) if error else (InterventionForm(), "", None)


@login_required
@require_POST
def quote_guide(request: HttpRequest, pk: int) -> HttpResponse:
    """Guidance to all of the quote's open negotiations at once."""
    quote = _get_quote_for_user(request, pk)
    form, error, limited = _intervention(
        request,
        lambda text, client_id: services.quote_guide(
            quote=quote, author=request.user, text=text, client_id=client_id
        ),
    )
    return _fragment_or_redirect(
        request,
        quote,
        lambda room: render_quote_fragment(
            "guidance", room, oob=False, request=request, form=form, error=error
        ),
        error,
        limited,
    )


def _column_post(
    request: HttpRequest, pk: int, fragment: str, service: Callable[..., object]
) -> HttpResponse:
    negotiation = _get_negotiation_for_user(request, pk)
    form, error, limited = _intervention(
        request,
        lambda text, client_id: service(
            negotiation=negotiation, author=request.user, text=text, client_id=client_id
        ),
    )
    return _fragment_or_redirect(
        request,
        negotiation.quote,
        lambda room: render_column_fragment(
            fragment,
            room,
            column_of(room, negotiation.pk),
            oob=False,
            request=request,
            form=form,
            error=error,
        ),
        error,
        limited,
    )


@login_required
@require_POST
def negotiation_guide(request: HttpRequest, pk: int) -> HttpResponse:
    return _column_post(request, pk, "negotiation_guidance", services.negotiation_guide)


@login_required
@require_POST
def negotiation_answer(request: HttpRequest, pk: int) -> HttpResponse:
    return _column_post(request, pk, "question", services.negotiation_answer)


@login_required
@require_POST
def negotiation_message_supplier(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff write to an invited supplier (shared), as opposed to guiding the brand agent."""
    return _column_post(request, pk, "to_supplier", services.negotiation_message_supplier)


# --- An invited supplier's links -----------------------------------------------------------------


@login_required
@require_POST
def negotiation_invitation_link(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Copy link": a new link to the supplier portal, shown to staff this once (earlier links
    keep working). Never cached: the page holds a secret."""
    negotiation = _get_negotiation_for_user(request, pk)
    limited = ratelimit.hit("interventions", request.user)
    link, error = "", limited.message if limited else ""
    if not limited:
        try:
            token = services.invitation_issue(negotiation=negotiation, by=request.user, send=False)
        except services.ProcurError as refusal:
            error = refusal.message
        else:
            link = services.portal_url(token)
    context = {"n": negotiation, "quote": negotiation.quote, "link": link, "error": error}
    template = (
        "negotiations/room_invitation_link.html"
        if request.htmx
        else "negotiations/invitation_link.html"
    )
    response = render(request, template, context)
    add_never_cache_headers(response)
    return ratelimit.too_many_requests(limited, response) if limited else response


def _invitation_post(
    request: HttpRequest, pk: int, call: Callable[[Negotiation], object]
) -> HttpResponse:
    """Resend or revoke: the invitation panel back, showing any refusal; a link copied before
    is cleared from the page (it may no longer work)."""
    negotiation = _get_negotiation_for_user(request, pk)
    limited = ratelimit.hit("interventions", request.user)
    error = limited.message if limited else _attempt(lambda: call(negotiation))

    def render_panel(room: Room) -> str:
        column = column_of(room, negotiation.pk)
        panel = render_column_fragment(
            "invitation", room, column, oob=False, request=request, error=error
        )
        return panel + render_column_fragment("invitation_link", room, column, oob=True)

    return _fragment_or_redirect(request, negotiation.quote, render_panel, error, limited)


@login_required
@require_POST
def negotiation_invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    """Email the supplier a new link; earlier links stop working."""
    return _invitation_post(
        request,
        pk,
        lambda negotiation: services.invitation_issue(negotiation=negotiation, by=request.user),
    )


@login_required
@require_POST
def negotiation_invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    return _invitation_post(
        request,
        pk,
        lambda negotiation: services.invitation_revoke(negotiation=negotiation, by=request.user),
    )


@login_required
@require_POST
def negotiation_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Pause, resume, cancel or retry one negotiation."""
    negotiation = _get_negotiation_for_user(request, pk)
    if action not in NEGOTIATION_ACTIONS:
        raise Http404("No such action.")
    error = _attempt(
        lambda: NEGOTIATION_ACTIONS[action](negotiation=negotiation, author=request.user)
    )
    return _fragment_or_redirect(
        request,
        negotiation.quote,
        lambda room: render_column_fragment(
            "status", room, column_of(room, negotiation.pk), oob=False, error=error
        ),
        error,
    )


@login_required
@require_POST
def quote_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Pause, resume or cancel all of a quote's negotiations."""
    quote = _get_quote_for_user(request, pk)
    if action not in QUOTE_ACTIONS:
        raise Http404("No such action.")
    error = _attempt(lambda: QUOTE_ACTIONS[action](quote=quote, author=request.user))
    return _fragment_or_redirect(
        request,
        quote,
        lambda room: render_quote_fragment("header", room, oob=False, error=error),
        error,
    )


@login_required
@require_POST
def quote_award(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve: award the quote to one of its negotiations."""
    quote = _get_quote_for_user(request, pk)
    form = AwardForm(request.POST)
    negotiation = (
        quote.negotiations.filter(pk=form.cleaned_data["negotiation"]).first()
        if form.is_valid()
        else None
    )
    if negotiation is None:
        return _outcome_response(request, quote, "Choose one of this quote's suppliers to award.")
    error = _attempt(
        lambda: services.quote_award(quote=quote, negotiation=negotiation, author=request.user)
    )
    return _outcome_response(request, quote, error)


@login_required
@require_POST
def quote_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Reject: close the quote without an award."""
    quote = _get_quote_for_user(request, pk)
    error = _attempt(lambda: services.quote_close_without_award(quote=quote, author=request.user))
    return _outcome_response(request, quote, error)


def _outcome_response(request: HttpRequest, quote: Quote, error: str) -> HttpResponse:
    return _fragment_or_redirect(
        request,
        quote,
        lambda room: render_quote_fragment("outcome", room, oob=False, error=error),
        error,
    )
