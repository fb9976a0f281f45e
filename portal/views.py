"""The supplier portal's pages: ``/s/<token>/`` and its three replies (counter, accept, decline).

No Procur login: the link's token opens its one negotiation. Every request is counted against
the portal's rate limits first; an unknown token is a 404, a link that no longer works a 410.
Replies are plain POSTs (CSRF-checked) that HTMX enhances: without JavaScript they redirect back
to the page, with it the reply forms come back in place, and what follows arrives over the
portal's socket. A refusal is shown on the form, never as a server error.
"""

import uuid
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from negotiations.models import Invitation
from negotiations.services import ProcurError
from negotiations.services.invitations import (
    InvitationGone,
    InvitationNotFound,
    invitation_for_token,
)
from negotiations.services.supplier_replies import (
    supplier_accept,
    supplier_counter,
    supplier_decline,
)
from portal import access, fragments
from portal.forms import AcceptForm, CounterForm, DeclineForm, ReplyForm
from portal.page import PortalPage, load_page
from procur import ratelimit

PortalView = Callable[[HttpRequest, Invitation], HttpResponse]


def _refusal(request: HttpRequest, status: int, title: str, text: str) -> HttpResponse:
    return render(request, "portal/refused.html", {"title": title, "text": text}, status=status)


def _limited_page(request: HttpRequest, limited: ratelimit.Limited) -> HttpResponse:
    """The refusal page; to HTMX, the message for the page's alert line (the forms and what is
    typed in them stay)."""
    if request.htmx:
        return HttpResponse(fragments.alert(alert=limited.message, oob=True))
    return _refusal(request, 429, "Too many requests", limited.message)


def _private(response: HttpResponse) -> HttpResponse:
    """A portal response is for the link's holder only: never cached, never indexed."""
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def portal_view(view: PortalView) -> Callable[[HttpRequest, str], HttpResponse]:
    """Count the request, open the token's invitation, and answer a refusal as its own page."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str) -> HttpResponse:
        if limited := access.limited(token, request.META.get("REMOTE_ADDR", "")):
            return _private(ratelimit.too_many_requests(limited, _limited_page(request, limited)))
        try:
            invitation = invitation_for_token(token)
        except InvitationNotFound:
            response = _refusal(
                request,
                404,
                "This link is not valid",
                "Check that you opened the whole link from the email, or ask the buyer for a "
                "new one.",
            )
        except InvitationGone:
            response = _refusal(
                request,
                410,
                "This link no longer works",
                "The buyer has replaced or withdrawn it, or the request it was for has ended. "
                "If you expected to reply, ask the buyer for a new link.",
            )
        else:
            request.portal_token = token
            return _private(view(request, invitation))
        if request.htmx:  # the link went while the page was open: reload it to say so
            response["HX-Refresh"] = "true"
        return _private(response)

    return wrapper


@require_safe
@portal_view
def page(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    return _render_page(request, load_page(invitation, request.portal_token, with_messages=True))


def _render_page(request: HttpRequest, page: PortalPage, **bound: ReplyForm) -> HttpResponse:
    context = {"page": page, **fragments.reply_forms(page, **bound)}
    return render(request, "portal/page.html", context)


def _reply(
    request: HttpRequest,
    invitation: Invitation,
    name: str,
    form: ReplyForm,
    post: Callable[[PortalPage, ReplyForm, str], object],
    sent: str,
) -> HttpResponse:
    """Post a validated reply through ``post``; the forms again (with any refusal on them) if
    it is invalid or refused, else the page (HTMX: its state fragments) with ``sent``."""
    page = load_page(invitation, request.portal_token)
    if not form.is_valid() and not page.your_turn:
        form.add_error(None, f"You cannot reply now: {page.situation}")
    if form.is_valid():
        client_id = form.cleaned_data["client_id"] or uuid.uuid4().hex
        try:
            post(page, form, client_id)
        except ProcurError as error:
            _show_refusal(form, error)
        else:
            if not request.htmx:
                messages.success(request, sent)
                return redirect("portal", request.portal_token)
            page = load_page(invitation, request.portal_token)
            html = fragments.state(page, request=request, answer=True)
            return HttpResponse(html + fragments.alert(notice=sent, oob=True))
    if request.htmx:
        forms = fragments.reply_forms(page, **{name: form})
        html = fragments.render(
            "actions", page, oob=True, request=request, forms=forms, answer=True
        )
        return HttpResponse(html + fragments.alert(oob=True))
    return _render_page(
        request, load_page(invitation, request.portal_token, with_messages=True), **{name: form}
    )


def _show_refusal(form: ReplyForm, error: ProcurError) -> None:
    """The service's refusal on the fields it names, else above the form."""
    shown = False
    for field, errors in error.field_errors.items():
        if field in form.fields:
            for message in errors:
                form.add_error(field, message)
            shown = True
    if not shown:
        form.add_error(None, error.message)
    form.describe_errors()


@require_POST
@portal_view
def counter(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    form = CounterForm(request.POST, quote=invitation.negotiation.quote)

    def post(page: PortalPage, form: CounterForm, client_id: str) -> object:
        return supplier_counter(
            negotiation=page.negotiation,
            terms=form.terms(),
            text=form.cleaned_data["message"],
            client_id=client_id,
        )

    sent = "Your counter-offer was sent."
    if form.is_valid() and form.partial:
        sent = "Your counter-offer was sent (a partial quantity)."
    return _reply(request, invitation, "counter", form, post, sent)


@require_POST
@portal_view
def accept(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    form = AcceptForm(request.POST)

    def post(page: PortalPage, form: AcceptForm, client_id: str) -> object:
        if form.cleaned_data["offer"] != page.brand_offer_key:
            raise ProcurError(
                "The buyer's offer changed since you opened this page: review the offer "
                "shown now before you accept it."
            )
        return supplier_accept(
            negotiation=page.negotiation,
            text=form.cleaned_data["message"],
            client_id=client_id,
            offer=page.brand_offer,  # checked again once the negotiation is locked
        )

    return _reply(request, invitation, "accept", form, post, "You accepted the buyer's offer.")


@require_POST
@portal_view
def decline(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    form = DeclineForm(request.POST)

    def post(page: PortalPage, form: DeclineForm, client_id: str) -> object:
        return supplier_decline(
            negotiation=page.negotiation, reason=form.cleaned_data["reason"], client_id=client_id
        )

    return _reply(request, invitation, "decline", form, post, "You declined this request.")
