"""The portal's HTML: the same partials (``templates/portal/page_<fragment>.html``) for the
page, the replies' HTMX answers and the socket's pushes, so the three cannot drift.

The transcript is the staff room's message partial read with the supplier's audience
(``negotiations.room.messages_after``): one template renders a message for both, known to the
supplier by its number among the shared messages.
"""

from django.template.loader import render_to_string

from negotiations.room import Audience, messages_after
from portal.forms import AcceptForm, CounterForm, DeclineForm, ReplyForm
from portal.page import PortalPage

# Every fragment that shows where the negotiation stands. The reply forms ride along: they
# appear on the supplier's turn and go when it ends (the page keeps forms being filled in as
# they are while they stay open: ``data-open-form``, static/js/room.js).
#
# Everything is swapped out of band, the answers to the supplier's posts too (their forms post
# with ``hx-swap="none"`` on the page's root): a push may replace the reply forms while a post
# is in flight, and an answer swapped into its detached form would be lost.
STATE = ("status", "offers", "actions")


def reply_forms(page: PortalPage, **bound: ReplyForm) -> dict[str, ReplyForm]:
    """The three reply forms, fresh except those given (bound, showing their errors)."""
    return {
        "counter": bound.get("counter")
        or CounterForm(quote=page.quote, initial=page.counter_initial),
        "accept": bound.get("accept") or AcceptForm(initial={"offer": page.brand_offer_key}),
        "decline": bound.get("decline") or DeclineForm(),
    }


def render(
    fragment: str,
    page: PortalPage,
    *,
    oob: bool = False,
    request=None,
    forms: dict[str, ReplyForm] | None = None,
    answer: bool = False,
) -> str:
    """One fragment; ``answer``: it answers the supplier's own post, so its forms replace the
    ones on the page (with their errors) rather than being kept like a push's."""
    context = {"page": page, "oob": oob, "answer": answer}
    if fragment == "actions":
        context.update(forms or reply_forms(page))
    return render_to_string(f"portal/page_{fragment}.html", context, request=request)


def state(page: PortalPage, *, request=None, answer: bool = False) -> str:
    """Every state fragment, swapped out of band."""
    return "".join(render(name, page, oob=True, request=request, answer=answer) for name in STATE)


def alert(*, notice: str = "", alert: str = "", oob: bool = False) -> str:
    """The page's line for what the last reply led to (pushes never re-render it)."""
    context = {"notice": notice, "alert": alert, "oob": oob}
    return render_to_string("portal/page_alert.html", context)


def messages_since(page: PortalPage, after: int) -> tuple[str, int]:
    """The shared messages after the ``after``-th as a push, and the last number the client
    then has (the portal numbers the shared messages 1, 2, ...: no seq reaches it)."""
    return messages_after(
        page.negotiation.pk, after, audience=Audience.SUPPLIER, brand_name=page.brand_name
    )
