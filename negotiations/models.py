"""Quotes, their three negotiations, every message, and a trace of every agent call.

State transitions live in ``negotiations/services``; these classes hold data and derived reads.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from procur.accounts.models import Organisation
from vendors.models import Supplier

# Description and requirements: room for a full brief, not for pasting a whole catalogue into
# every prompt the agents receive.
BRIEF_TEXT_MAX_LENGTH = 4000

APPROVE_AWARDS_CODENAME = "approve_awards"
APPROVE_AWARDS = f"negotiations.{APPROVE_AWARDS_CODENAME}"


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    NEGOTIATING = "negotiating", "Negotiating"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    AWARDED = "awarded", "Awarded"
    CLOSED = "closed", "Closed without award"
    CANCELLED = "cancelled", "Cancelled"


class Quote(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="quotes")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="quotes"
    )
    product = models.CharField(max_length=200)
    category = models.CharField(
        max_length=100, blank=True, help_text="Product category, used to shortlist suppliers."
    )
    description = models.TextField(
        blank=True,
        max_length=BRIEF_TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(BRIEF_TEXT_MAX_LENGTH)],
    )
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    unit = models.CharField(max_length=30, default="units")
    currency = models.CharField(max_length=3, default="USD")
    target_price = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    max_price = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    needed_by = models.DateField()
    weight_price = models.PositiveSmallIntegerField(default=50, validators=[MaxValueValidator(100)])
    weight_lead_time = models.PositiveSmallIntegerField(
        default=30, validators=[MaxValueValidator(100)]
    )
    weight_payment_terms = models.PositiveSmallIntegerField(
        default=20, validators=[MaxValueValidator(100)]
    )
    requirements = models.TextField(
        blank=True,
        max_length=BRIEF_TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(BRIEF_TEXT_MAX_LENGTH)],
    )
    # Blank: the profile Procur measured best for the quote's priorities, resolved at the start
    # (each negotiation records the one it used in ``brand_strategy``).
    brand_profile = models.CharField(
        "negotiating profile",
        max_length=40,
        blank=True,
        help_text="How the brand agent concedes; blank for the one Procur measured best.",
    )
    # How long an invited supplier has to answer each brand message (issue 14): half-way it gets a
    # reminder, past it the negotiation ends as "supplier did not reply".
    reply_window = models.DurationField(
        "supplier reply deadline",
        default=timedelta(hours=48),
        validators=[MinValueValidator(timedelta(seconds=1))],
        help_text="How long an invited supplier has to answer each brand message.",
    )
    max_rounds = models.PositiveSmallIntegerField(
        default=12, validators=[MinValueValidator(2), MaxValueValidator(40)]
    )
    question_budget = models.PositiveSmallIntegerField(
        default=3, validators=[MaxValueValidator(10)]
    )
    questions_asked = models.PositiveSmallIntegerField(default=0)
    clarifications = models.JSONField(
        default=list, blank=True, help_text="Staff answers to the agents' questions."
    )
    status = models.CharField(
        max_length=20, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT, db_index=True
    )
    recommendation = models.JSONField(null=True, blank=True)
    awarded_negotiation = models.OneToOneField(
        "Negotiation", on_delete=models.SET_NULL, null=True, blank=True, related_name="award_of"
    )
    # Who decided, and when: the audit record of an award or a close without award. PROTECT, so
    # deleting a user never erases who approved (deactivate them instead).
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awarded_quotes",
    )
    awarded_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="closed_quotes",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Every save, with who made it and why (services name the action: records/audit.py).
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        # Everyone in the organisation watches and guides; deciding the award takes this.
        permissions = [(APPROVE_AWARDS_CODENAME, "Can approve awards (award or close a quote)")]

    def __str__(self) -> str:
        return f"{self.quantity} {self.unit} of {self.product}"

    @property
    def questions_left(self) -> int:
        return max(self.question_budget - self.questions_asked, 0)


class NegotiationStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    ACTIVE = "active", "Active"
    WAITING_FOR_STAFF = "waiting_for_staff", "Waiting for staff"
    WAITING_FOR_SUPPLIER = "waiting_for_supplier", "Waiting for supplier"
    PAUSED = "paused", "Paused"
    AGREED = "agreed", "Agreed"
    IMPASSE = "impasse", "Impasse"
    WALKED_AWAY = "walked_away", "Walked away"
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Failed"
    NO_REPLY = "no_reply", "Supplier did not reply"


# The statuses in which a negotiation waits on its next turn task.
RUNNING_STATUSES = (NegotiationStatus.QUEUED, NegotiationStatus.ACTIVE)
ENDED_STATUSES = frozenset(
    {
        NegotiationStatus.AGREED,
        NegotiationStatus.IMPASSE,
        NegotiationStatus.WALKED_AWAY,
        NegotiationStatus.CANCELLED,
        NegotiationStatus.FAILED,
        NegotiationStatus.NO_REPLY,
    }
)


def status_for_supplier(status: str) -> str:
    """The status as the invited supplier may know it, decided here and nowhere else: the brand
    agent asking its staff is, to the supplier, the brand preparing its reply."""
    if status == NegotiationStatus.WAITING_FOR_STAFF:
        return NegotiationStatus.ACTIVE
    return status


class SupplierMode(models.TextChoices):
    """Who answers for the supplier: its simulated agent, or the real supplier, invited by email
    to answer through the supplier portal."""

    SIMULATED = "simulated", "Simulated (the supplier agent answers)"
    INVITED = "invited", "Invited (the real supplier answers)"


class Negotiation(models.Model):
    # A negotiated quote's transcripts are its record: deleting the quote is refused.
    quote = models.ForeignKey(Quote, on_delete=models.PROTECT, related_name="negotiations")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="negotiations")
    slot = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(3)])
    status = models.CharField(
        max_length=20,
        choices=NegotiationStatus.choices,
        default=NegotiationStatus.QUEUED,
        db_index=True,
    )
    round = models.PositiveSmallIntegerField(default=0)
    brand_strategy = models.CharField(max_length=40, default="balanced")
    seed = models.PositiveIntegerField(default=0)
    supplier_mode = models.CharField(
        max_length=10, choices=SupplierMode.choices, default=SupplierMode.SIMULATED
    )
    # While an invited supplier has the turn (WAITING_FOR_SUPPLIER): when its reply is due, and
    # when it gets a reminder (cleared once sent). The deadline sweep finds due rows by index.
    reply_due_at = models.DateTimeField(null=True, blank=True)
    remind_at = models.DateTimeField(null=True, blank=True)
    # Agent turns completed; a turn task carries the number it plays, which makes it idempotent.
    turns_taken = models.PositiveIntegerField(default=0)
    # Deliveries of the current turn that started work; past the limit the negotiation fails.
    turn_deliveries = models.PositiveSmallIntegerField(default=0)
    # The lease that stops two copies of a turn running at once (a token per execution).
    lease_token = models.CharField(max_length=40, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    final_terms = models.JSONField(null=True, blank=True)
    brand_utility = models.FloatField(null=True, blank=True)
    supplier_utility = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Summary figures, stored when the negotiation ends (services/summary.py), so analytics
    # aggregates many negotiations without reading their messages and agent calls.
    first_offer_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    staff_messages = models.PositiveIntegerField(null=True, blank=True)
    llm_cost_usd = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["quote_id", "slot"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "slot"], name="negotiation_unique_slot"),
            models.UniqueConstraint(
                fields=["quote", "supplier"], name="negotiation_unique_supplier"
            ),
        ]
        indexes = [
            # The deadline sweep's two questions, over waiting negotiations only (partial
            # indexes: a quote's thousands of ended negotiations never enter them).
            models.Index(
                fields=["reply_due_at"],
                name="negotiation_reply_due",
                condition=models.Q(status=NegotiationStatus.WAITING_FOR_SUPPLIER),
            ),
            models.Index(
                fields=["remind_at"],
                name="negotiation_remind_at",
                condition=models.Q(
                    status=NegotiationStatus.WAITING_FOR_SUPPLIER, remind_at__isnull=False
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quote} with {self.supplier}"

    @property
    def is_ended(self) -> bool:
        return self.status in ENDED_STATUSES


class Sender(models.TextChoices):
    BRAND = "brand", "Brand agent"
    SUPPLIER = "supplier", "Supplier agent"
    STAFF = "staff", "Staff"
    SYSTEM = "system", "System"


class MessageAudience(models.TextChoices):
    SHARED = "shared", "Shared with the supplier"
    INTERNAL = "internal", "Internal"


def message_audience(sender: str, action: str) -> MessageAudience:
    """Who a message is for, decided here and nowhere else.

    Shared: what the brand and the supplier said to each other (offers, counters, accepts,
    rejections, walk-aways, their messages), and what staff wrote to the supplier themselves
    (``Message.TO_SUPPLIER``). Internal: everything else (staff guidance and answers, the brand's
    questions to its staff, system notes such as how guidance was applied).
    """
    if sender in (Sender.BRAND, Sender.SUPPLIER) and action != "ask_info":
        return MessageAudience.SHARED
    if sender == Sender.STAFF and action == Message.TO_SUPPLIER:
        return MessageAudience.SHARED
    return MessageAudience.INTERNAL


class Message(models.Model):
    negotiation = models.ForeignKey(Negotiation, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveIntegerField()
    round = models.PositiveSmallIntegerField(default=0)
    sender = models.CharField(max_length=10, choices=Sender.choices)
    # Set from sender and action by message_audience() when stored; internal unless shared.
    audience = models.CharField(
        max_length=10, choices=MessageAudience.choices, default=MessageAudience.INTERNAL
    )
    # An agent's message carries the engine's action (propose, counter, accept, ...); staff's
    # carry GUIDANCE or ANSWER (for the brand agent, internal) or TO_SUPPLIER (written to an
    # invited supplier, shared), and system messages "message".
    GUIDANCE = "guidance"
    ANSWER = "answer"
    TO_SUPPLIER = "to_supplier"
    action = models.CharField(max_length=20, default="message")
    text = models.TextField()
    terms = models.JSONField(null=True, blank=True)
    strategies = models.JSONField(default=list, blank=True)
    rationale = models.JSONField(default=list, blank=True)
    question = models.TextField(blank=True)
    verdict = models.CharField(max_length=10, blank=True)
    # Staff guidance as the rule-based parser understood it (directives, and what it could not).
    guidance = models.JSONField(null=True, blank=True)
    guardrail_violations = models.JSONField(default=list, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    # A client-chosen id that makes a staff post idempotent across retries and reconnects.
    client_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001 (unique when set)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["negotiation_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["negotiation", "seq"], name="message_unique_seq"),
            models.UniqueConstraint(
                fields=["negotiation", "client_id"],
                condition=models.Q(client_id__isnull=False),
                name="message_unique_client_id",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.sender} {self.action}"


# An agent call's token counts, by kind: its tokens in all are their sum.
TOKEN_FIELDS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")


class AgentCall(models.Model):
    """An audit trace of one agent decision: what went in, what came out, what it cost."""

    negotiation = models.ForeignKey(
        Negotiation, on_delete=models.CASCADE, related_name="agent_calls"
    )
    turn = models.PositiveIntegerField()
    side = models.CharField(max_length=10, choices=Sender.choices)
    voice = models.CharField(max_length=20)
    model = models.CharField(max_length=100, blank=True)
    engine_input = models.JSONField(default=dict)
    prompt = models.JSONField(null=True, blank=True)
    raw_output = models.JSONField(null=True, blank=True)
    parsed_move = models.JSONField(null=True, blank=True)
    fallback_reason = models.TextField(blank=True)
    input_tokens = models.PositiveIntegerField(default=0)
    cache_read_tokens = models.PositiveIntegerField(default=0)
    cache_write_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=10, decimal_places=6, default=Decimal("0"))
    latency_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["negotiation_id", "turn", "created_at"]

    def __str__(self) -> str:
        return f"{self.side} turn {self.turn} ({self.voice})"


class Invitation(models.Model):
    """A real supplier's access to one negotiation: the secret link emailed to its contact.

    Only the token's SHA-256 is stored; the token itself exists in the email and the link staff
    copy when it is issued. The link opens the negotiation until it is revoked (staff revoke it,
    or issue a new one) or the negotiation's quote ends.
    """

    negotiation = models.ForeignKey(
        Negotiation, on_delete=models.CASCADE, related_name="invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Why the last email did not go out (staff see it and resend); blank when it went.
    send_error = models.TextField(blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["negotiation_id", "-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to negotiation {self.negotiation_id}"


class NotificationKind(models.TextChoices):
    """What staff are told about (each kind can be turned off per user)."""

    QUESTION = "question", "A brand agent asks staff a question"
    SUPPLIER_REPLIED = "supplier_replied", "An invited supplier replies"
    SUPPLIER_DECLINED = "supplier_declined", "An invited supplier declines"
    SUPPLIER_MISSED = "supplier_missed", "An invited supplier misses its reply deadline"
    AWAITING_APPROVAL = "awaiting_approval", "A quote awaits approval"


class Notification(models.Model):
    """One thing one staff user should know about: shown as a badge, and emailed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="notifications")
    negotiation = models.ForeignKey(
        Negotiation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # When its email went out: a redelivered email task sends none again (null: not sent, or
    # the user has no email address).
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["user", "created_at"],
                name="notification_unread",
                condition=models.Q(read_at__isnull=True),
            ),
            # The notifications page: a user's own, newest first, a page at a time.
            models.Index(fields=["user", "-created_at"], name="notification_list"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.user}"
