"""What the invited supplier reads: its negotiation as the portal shows it.

Everything here is read through the supplier's audience (``numbered_messages(...,
Audience.SUPPLIER)``, which reads through ``visible_messages``, and the standing offers read the
same way): the brand's limits, its staff's guidance and answers, system notes, the agents'
reasoning and the other suppliers are never loaded, so no template can show them by mistake.
Messages are known by their number among the shared ones, never by the negotiation's seq,
whose gaps would count the internal entries.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from negotiations.engine import Terms
from negotiations.models import (
    Invitation,
    Message,
    Negotiation,
    NegotiationStatus,
    Quote,
    status_for_supplier,
)
from negotiations.room import Audience
from negotiations.room.model import numbered_messages
from negotiations.services.supplier_replies import brand_standing_offer, supplier_standing_offer

# What the supplier is told about a negotiation that is not waiting for it.
_NOT_YOUR_TURN = {
    NegotiationStatus.QUEUED: "{brand} is preparing its first offer.",
    NegotiationStatus.ACTIVE: "{brand} is preparing its reply.",
    NegotiationStatus.PAUSED: "{brand} has paused this negotiation for now.",
    NegotiationStatus.AGREED: "Agreed. {brand} will be in touch about the order.",
    NegotiationStatus.WALKED_AWAY: "This negotiation ended without an agreement.",
    NegotiationStatus.IMPASSE: "This negotiation reached its round limit without an agreement.",
    NegotiationStatus.FAILED: "{brand} stopped this negotiation.",
}


@dataclass(frozen=True)
class PortalPage:
    """One negotiation as its supplier sees it."""

    negotiation: Negotiation
    token: str  # the link: the page's own URLs are built from it
    brand_offer: Terms | None
    supplier_offer: Terms | None
    messages: tuple[Message, ...] = ()

    @property
    def quote(self) -> Quote:
        return self.negotiation.quote

    @property
    def brand_name(self) -> str:
        return self.quote.organisation.name

    @property
    def your_turn(self) -> bool:
        return self.negotiation.status == NegotiationStatus.WAITING_FOR_SUPPLIER

    @property
    def ended(self) -> bool:
        return self.negotiation.is_ended

    @property
    def badge(self) -> str:
        """The status in the supplier's words."""
        if self.your_turn:
            return "Your turn"
        if self.negotiation.status == NegotiationStatus.AGREED:
            return "Agreed"
        if self.ended:
            return "Ended"
        if self.negotiation.status == NegotiationStatus.PAUSED:
            return "Paused"
        return f"Waiting for {self.brand_name}"

    @property
    def shown_status(self) -> str:
        """The status the page's markup names: the brand asking its staff is just its turn,
        its failure an ending."""
        if self.negotiation.status == NegotiationStatus.FAILED:  # "stopped", as it reads
            return NegotiationStatus.WALKED_AWAY
        return status_for_supplier(self.negotiation.status)

    @property
    def situation(self) -> str:
        """One sentence on where the negotiation stands, for the supplier."""
        if self.your_turn:
            return "Counter, accept or decline the buyer's offer below."
        status = status_for_supplier(self.negotiation.status)
        text = _NOT_YOUR_TURN.get(status, "{brand} is preparing its reply.")
        return text.format(brand=self.brand_name)

    @property
    def reply_due_at(self) -> datetime | None:
        return self.negotiation.reply_due_at if self.your_turn else None

    @property
    def time_left(self) -> timedelta | None:
        due = self.reply_due_at
        return max(due - timezone.now(), timedelta(0)) if due else None

    @property
    def final_terms(self) -> Terms | None:
        final = self.negotiation.final_terms
        return Terms.from_dict(final) if final else None

    @property
    def brand_offer_key(self) -> str:
        """Names the brand's standing offer: an accept posted against an older one is refused."""
        return offer_key(self.brand_offer)

    @property
    def counter_initial(self) -> dict[str, object]:
        """The counter form starts from the supplier's own last offer, else the brand's (the
        quantity is the requested one unless the supplier offered fewer)."""
        basis = self.supplier_offer or self.brand_offer
        if basis is None:
            return {}
        return {
            "unit_price": basis.unit_price,
            "quantity": self.supplier_offer.quantity if self.supplier_offer else None,
            "lead_time_days": basis.lead_time_days,
            "payment_terms_days": basis.payment_terms_days,
            "warranty_months": basis.warranty_months,
        }


def offer_key(terms: Terms | None) -> str:
    if terms is None:
        return ""
    text = json.dumps(terms.to_dict(), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def load_page(invitation: Invitation, token: str, *, with_messages: bool = False) -> PortalPage:
    """The page of ``invitation``'s negotiation, re-read from the database (``with_messages``:
    its whole shared transcript, for the page itself)."""
    negotiation = Negotiation.objects.select_related("quote__organisation", "supplier").get(
        pk=invitation.negotiation_id
    )
    messages: tuple[Message, ...] = ()
    if with_messages:
        messages = tuple(numbered_messages(negotiation.pk, Audience.SUPPLIER))
    return PortalPage(
        negotiation=negotiation,
        token=token,
        brand_offer=brand_standing_offer(negotiation),
        supplier_offer=supplier_standing_offer(negotiation),
        messages=messages,
    )
