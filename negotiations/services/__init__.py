"""Every state transition of quotes and negotiations (views, tasks and admin call these)."""

from negotiations.services.errors import ProcurError
from negotiations.services.evaluation import (
    quote_award,
    quote_close_without_award,
    quote_evaluate,
)
from negotiations.services.invitations import (
    invitation_issue,
    invitation_revoke,
    portal_url,
)
from negotiations.services.notifications import (
    notification_emails_send,
    notification_mark_read,
    notification_settings_save,
    notifications_mark_read,
    notify,
)
from negotiations.services.quotes import (
    brand_profile_choices,
    invited_supplier_errors,
    quote_start,
    quote_validation_errors,
    shortlist_suppliers,
)
from negotiations.services.reply_deadlines import SweepResult, sweep_reply_deadlines
from negotiations.services.staff import (
    negotiation_answer,
    negotiation_cancel,
    negotiation_guide,
    negotiation_message_supplier,
    negotiation_pause,
    negotiation_requeue,
    negotiation_resume,
    negotiation_retry,
    quote_cancel,
    quote_guide,
    quote_pause,
    quote_resume,
)
from negotiations.services.supplier_replies import (
    brand_standing_offer,
    supplier_accept,
    supplier_counter,
    supplier_decline,
    supplier_standing_offer,
)
from negotiations.services.turns import TurnOutcome, turn_run

__all__ = [
    "ProcurError",
    "SweepResult",
    "TurnOutcome",
    "brand_profile_choices",
    "brand_standing_offer",
    "invitation_issue",
    "invitation_revoke",
    "invited_supplier_errors",
    "negotiation_answer",
    "negotiation_cancel",
    "negotiation_guide",
    "negotiation_message_supplier",
    "negotiation_pause",
    "negotiation_requeue",
    "negotiation_resume",
    "negotiation_retry",
    "notification_emails_send",
    "notification_mark_read",
    "notification_settings_save",
    "notifications_mark_read",
    "notify",
    "portal_url",
    "quote_award",
    "quote_cancel",
    "quote_close_without_award",
    "quote_evaluate",
    "quote_guide",
    "quote_pause",
    "quote_resume",
    "quote_start",
    "quote_validation_errors",
    "shortlist_suppliers",
    "supplier_accept",
    "supplier_counter",
    "supplier_decline",
    "supplier_standing_offer",
    "sweep_reply_deadlines",
    "turn_run",
]
