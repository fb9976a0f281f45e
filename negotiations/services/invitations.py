"""Invited suppliers' secret links: issue, email, revoke, remind, and find by token.

A link token (``secrets.token_urlsafe(32)``: 256 bits) exists only in the email Procur sends and
in the one-time view staff get from "copy link"; the database holds its SHA-256. It is never
logged, never put in a task's arguments: emails go out synchronously in an on-commit callback,
which holds the token in memory only, and whose failures are recorded without it.
"""

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.utils import timezone

from negotiations.after_commit import push_state
from negotiations.models import (
    Invitation,
    Negotiation,
    NegotiationStatus,
    QuoteStatus,
    Sender,
    SupplierMode,
)
from negotiations.services.errors import ProcurError
from negotiations.services.transcript import append_message, lock_negotiation

logger = logging.getLogger(__name__)

TOKEN_BYTES = 32
# Longer than any token we issue; a longer string is not looked up at all.
MAX_TOKEN_LENGTH = 128
SEND_ERROR_MAX = 500
# A link stops working when its negotiation ends this way, or when its quote is decided.
GONE_NEGOTIATION_STATUSES = frozenset({NegotiationStatus.CANCELLED, NegotiationStatus.NO_REPLY})
GONE_QUOTE_STATUSES = frozenset({QuoteStatus.AWARDED, QuoteStatus.CLOSED, QuoteStatus.CANCELLED})


class InvitationNotFound(Exception):
    """No invitation has this token (the portal answers 404)."""


class InvitationGone(Exception):
    """The link worked once but no longer does: revoked, or its negotiation or quote is over,
    or the supplier's reply deadline passed (the portal answers 410)."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def portal_url(token: str) -> str:
    """The supplier's link: where the portal serves the negotiation of ``token``."""
    return f"{settings.PROCUR_BASE_URL}/s/{token}/"


def invitation_for_token(token: str) -> Invitation:
    """The invitation of ``token`` with its negotiation, quote, organisation and supplier.

    Raises :class:`InvitationNotFound` for a token that was never issued and
    :class:`InvitationGone` for one that no longer opens its negotiation. A negotiation that
    ended in agreement, a walk-away or an impasse while its quote is still open stays readable.
    """
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvitationNotFound
    digest = token_hash(token)
    # Looked up by its hash: how long the lookup takes says nothing about the token.
    invitation = (
        Invitation.objects.select_related(
            "negotiation__quote__organisation", "negotiation__supplier"
        )
        .filter(token_hash=digest)
        .first()
    )
    if invitation is None or not hmac.compare_digest(invitation.token_hash, digest):
        raise InvitationNotFound
    negotiation = invitation.negotiation
    if (
        invitation.revoked_at is not None
        or negotiation.status in GONE_NEGOTIATION_STATUSES
        or negotiation.quote.status in GONE_QUOTE_STATUSES
        or _past_deadline(negotiation)
    ):
        raise InvitationGone
    return invitation


def _past_deadline(negotiation: Negotiation) -> bool:
    """Waiting past its reply deadline: the sweep has yet to end it as "did not reply"."""
    return (
        negotiation.status == NegotiationStatus.WAITING_FOR_SUPPLIER
        and negotiation.reply_due_at is not None
        and negotiation.reply_due_at <= timezone.now()
    )


def _load(negotiation_id: int, *, lock: bool) -> Negotiation:
    negotiations = Negotiation.objects.select_related("quote__organisation", "supplier")
    if lock:
        negotiations = negotiations.select_for_update(of=("self",))
    return negotiations.get(pk=negotiation_id)


def _check_invitable(negotiation: Negotiation) -> str:
    """The supplier's contact address, or a refusal saying why no link can be issued."""
    supplier = negotiation.supplier
    if negotiation.supplier_mode != SupplierMode.INVITED:
        raise ProcurError(
            f"{supplier.name}'s side is played by its simulated agent: there is no one to invite."
        )
    quote = negotiation.quote
    if negotiation.status in GONE_NEGOTIATION_STATUSES or quote.status in GONE_QUOTE_STATUSES:
        ended = negotiation if negotiation.status in GONE_NEGOTIATION_STATUSES else quote
        raise ProcurError(
            f"The negotiation with {supplier.name} is over ({ended.get_status_display().lower()})"
            ": a link would open nothing."
        )
    if not supplier.contact_email:
        raise ProcurError(
            f"{supplier.name} has no contact email: add one in the supplier directory first."
        )
    return supplier.contact_email


def _revoke_links(negotiation: Negotiation) -> int:
    return Invitation.objects.filter(negotiation=negotiation, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def _new_invitation(negotiation: Negotiation, email: str, by) -> tuple[Invitation, str]:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invitation = Invitation.objects.create(
        negotiation=negotiation, token_hash=token_hash(token), email=email, created_by=by
    )
    return invitation, token


def invitation_issue(*, negotiation: Negotiation, by=None, send: bool = True) -> str:
    """A fresh link token for ``negotiation``'s invited supplier.

    ``send``: email it to the supplier's contact after commit (recording ``sent_at``, or
    ``send_error`` if the mail could not go), and revoke the negotiation's earlier links (a
    start, or staff's "resend"). Without ``send`` ("copy link": staff see it once) the earlier
    links keep working. Raises ``ProcurError`` if the negotiation takes no link.
    """
    with transaction.atomic():
        negotiation = _load(negotiation.pk, lock=True)
        email = _check_invitable(negotiation)
        revoked = _revoke_links(negotiation) if send else 0
        invitation, token = _new_invitation(negotiation, email, by)
        if by is not None:
            done = f"emailed to {email}" if send else "shown to copy"
            if revoked:
                done += f"; {revoked} earlier link{pluralize(revoked)} revoked"
            _note(negotiation, f"{by.get_username()} issued a supplier link ({done}).", by)
        if send:
            _email_after_commit(invitation, token, reminder=False)
        # Earlier links revoked: their open pages learn it at once.
        push_state(negotiation, supplier_sees=bool(revoked))
    return token


def invitation_revoke(*, negotiation: Negotiation, by) -> int:
    """Stop every working link of ``negotiation``; how many were revoked."""
    with transaction.atomic():
        negotiation = lock_negotiation(negotiation.pk)
        revoked = _revoke_links(negotiation)
        if not revoked:
            raise ProcurError("This negotiation has no working supplier link to revoke.")
        who = by.get_username() if by is not None else "staff"
        _note(negotiation, f"Supplier links revoked by {who} ({revoked}).", by)
        push_state(negotiation, supplier_sees=True)  # its open pages close
    return revoked


def invitation_remind(*, negotiation: Negotiation) -> None:
    """The half-time reminder: an email with a fresh link (earlier links keep working). None
    while staff have revoked every link: a revoke cuts the supplier off until staff resend."""
    with transaction.atomic():
        negotiation = _load(negotiation.pk, lock=False)
        email = _check_invitable(negotiation)
        if not negotiation.invitations.filter(revoked_at__isnull=True).exists():
            raise ProcurError(
                f"Staff revoked {negotiation.supplier.name}'s links: no reminder is sent."
            )
        invitation, token = _new_invitation(negotiation, email, None)
        _email_after_commit(invitation, token, reminder=True)


def _note(negotiation: Negotiation, text: str, by) -> None:
    """An internal line in the transcript: what staff did to the supplier's access."""
    append_message(negotiation, sender=Sender.SYSTEM, text=text, author=by)
    negotiation.save(update_fields=["last_activity_at"])


# --- The email ----------------------------------------------------------------------------------


def duration_text(duration: timedelta) -> str:
    """``48 hours``, ``3 days``, ``1.5 hours``, ``20 minutes``, ``30 seconds``: a reply window
    in words."""
    seconds = round(duration.total_seconds())

    def counted(count: float, unit: str) -> str:
        return f"{count:g} {unit}{'' if count == 1 else 's'}"

    if seconds >= 3 * 86400 and seconds % 86400 == 0:
        return counted(seconds // 86400, "day")
    if seconds >= 3600:
        return counted(round(seconds / 3600, 2), "hour")
    if seconds >= 60 and seconds % 60 == 0:
        return counted(seconds // 60, "minute")
    return counted(seconds, "second")


def _message(invitation: Invitation, token: str, *, reminder: bool) -> EmailMultiAlternatives:
    negotiation = invitation.negotiation
    quote = negotiation.quote
    context = {
        "organisation": quote.organisation.name,
        "quote": quote,
        "supplier": negotiation.supplier,
        "link": portal_url(token),
        "reply_window": duration_text(quote.reply_window),
        "reply_due_at": negotiation.reply_due_at,
    }
    kind = "reminder" if reminder else "invitation"
    if reminder:
        subject = f"Reminder: {context['organisation']} is waiting for your reply ({quote.product})"
    else:
        subject = (
            f"{context['organisation']} invites you to negotiate: "
            f"{quote.quantity} {quote.unit} of {quote.product}"
        )
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"negotiations/email/{kind}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitation.email],
    )
    message.attach_alternative(
        render_to_string(f"negotiations/email/{kind}.html", context), "text/html"
    )
    return message


def _email_after_commit(invitation: Invitation, token: str, *, reminder: bool) -> None:
    """Send the link once the invitation is committed, and record how it went.

    Synchronous, in the on-commit callback: a task would carry the token in its arguments (and
    the broker's and worker's logs). Every failure is caught here and recorded without the
    token, never logged with a traceback: an error reporter records frames' locals.
    """
    invitation_id = invitation.pk

    def send_invitation_email() -> None:
        try:
            stored = Invitation.objects.select_related(
                "negotiation__quote__organisation", "negotiation__supplier"
            ).get(pk=invitation_id)
            _message(stored, token, reminder=reminder).send()
        except Exception as exc:  # any failure: recorded for staff to resend
            reason = f"{type(exc).__name__}: {exc}".replace(token, "[link]")[:SEND_ERROR_MAX]
            logger.warning("invitation %s: the email could not be sent (%s)", invitation_id, reason)
            _record(invitation_id, send_error=reason or "The email could not be sent.")
        else:
            _record(invitation_id, sent_at=timezone.now(), send_error="")

    transaction.on_commit(send_invitation_email)


def _record(invitation_id: int, **fields) -> None:
    """Store how the email went and show it in the room (never raises: runs after commit)."""
    try:
        Invitation.objects.filter(pk=invitation_id).update(**fields)
        negotiation = Negotiation.objects.get(invitations__pk=invitation_id)
        # Outside a transaction: pushed at once; the supplier is not told how its email went.
        push_state(negotiation, supplier_sees=False)
    except Exception:  # the mail went or not; the room shows it on reload
        logger.warning("invitation %s: could not record how its email went", invitation_id)
