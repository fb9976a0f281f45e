"""Quotes, negotiations, transcripts and agent-call traces in the admin, with operator actions.

Every state change goes through ``negotiations.services``, exactly as the app's own views do; the
admin only edits a quote's brief. Messages and agent calls are an audit record: read-only.
"""

import json
from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import Count, Model, QuerySet, Sum
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from negotiations import selectors, services
from negotiations.forms import QuoteForm, brand_profile_field
from negotiations.models import (
    AgentCall,
    Invitation,
    Message,
    Negotiation,
    Notification,
    Quote,
    QuoteStatus,
)
from procur.accounts.admin import OrganisationScopedAdmin


def _usage(calls: str) -> dict:
    """Token and cost totals over the agent calls reached by the ``calls`` lookup."""
    return {
        "total_tokens": selectors.token_total(calls),
        "total_cost": Sum(f"{calls}__cost_usd", default=0),
        "call_count": Count(calls),
    }


class UsageColumns:
    """List columns for the annotated totals (``_usage``)."""

    @admin.display(description="Tokens", ordering="total_tokens")
    def tokens(self, obj: Model) -> int:
        return obj.total_tokens

    @admin.display(description="Cost (USD)", ordering="total_cost")
    def cost(self, obj: Model) -> str:
        return f"{obj.total_cost:.4f}"


class ReadOnlyAdminMixin:
    """An audit record: viewable by whoever may view it, never added, edited or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


def _pretty_json(value) -> str:
    if value in (None, "", [], {}):
        return "-"
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, sort_keys=True, default=str))


def _json_display(field: str, description: str) -> Callable:
    """A read-only admin column showing a JSON field indented, for reading traces."""

    @admin.display(description=description)
    def show(modeladmin: admin.ModelAdmin, obj: Model) -> str:
        return _pretty_json(getattr(obj, field))

    return show


def _service_action(
    description: str, done: str, service: Callable[[Model, HttpRequest], object]
) -> Callable:
    """An admin action applying ``service`` to each selected row; a refusal is reported and the
    other rows still run."""

    @admin.action(description=description, permissions=["change"])
    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
        succeeded = 0
        for obj in queryset:
            try:
                service(obj, request)
            except services.ProcurError as exc:
                modeladmin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
            else:
                succeeded += 1
        if succeeded:
            modeladmin.message_user(request, f"{done}: {succeeded}.", messages.SUCCESS)

    return action


class NegotiationInline(ReadOnlyAdminMixin, UsageColumns, admin.TabularInline):
    model = Negotiation
    fields = readonly_fields = [
        "link",
        "supplier",
        "status",
        "round",
        "turns_taken",
        "brand_strategy",
        "brand_utility",
        "tokens",
        "cost",
    ]
    extra = 0
    show_change_link = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .select_related("supplier")
            .annotate(**_usage("agent_calls"))
        )

    @admin.display(description="Negotiation")
    def link(self, obj: Negotiation) -> str:
        url = reverse("admin:negotiations_negotiation_change", args=[obj.pk])
        return format_html('<a href="{}">#{} (slot {})</a>', url, obj.pk, obj.slot)


@admin.register(Quote)
class QuoteAdmin(UsageColumns, OrganisationScopedAdmin):
    list_display = [
        "product",
        "organisation",
        "quantity",
        "status",
        "profile",
        "created_by",
        "created_at",
        "tokens",
        "cost",
    ]
    list_filter = ["status", "currency"]
    superuser_list_filter = ("organisation",)
    list_select_related = ["organisation", "created_by"]
    search_fields = ["product", "description", "category", "requirements"]
    date_hierarchy = "created_at"
    # Lifecycle fields change only through services (start, evaluate, award, close).
    readonly_fields = [
        "status",
        "questions_asked",
        "recommendation_summary",
        "awarded_negotiation",
        "awarded_by",
        "awarded_at",
        "closed_by",
        "closed_at",
        "started_at",
        "ended_at",
        "created_at",
        "tokens",
        "cost",
    ]
    exclude = ["recommendation"]
    inlines = [NegotiationInline]
    actions = ["rerun_evaluation"]

    # What the negotiations run on: once started, a changed limit would hold for some turns and
    # not others, and the brief staff approved would no longer be the one negotiated.
    brief_fields = (*QuoteForm.Meta.fields, "organisation", "created_by", "clarifications")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(**_usage("negotiations__agent_calls"))

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "brand_profile":
            return brand_profile_field()
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="Negotiating profile", ordering="brand_profile")
    def profile(self, obj: Quote) -> str:
        return obj.brand_profile or "recommended"

    def get_readonly_fields(self, request: HttpRequest, obj: Quote | None = None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status != QuoteStatus.DRAFT:
            readonly += [name for name in self.brief_fields if name not in readonly]
        return readonly

    def get_deleted_objects(self, objs, request: HttpRequest):
        """A negotiated quote is refused by the PROTECT on its negotiations; say why in words
        rather than list the negotiation rows that stand in the way."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        negotiated = [quote for quote in objs if quote.negotiations.exists()]
        if negotiated:
            # Not "you lack the permission to delete negotiations": nobody may.
            perms_needed = set()
            protected = [
                f"“{quote}” has been negotiated: its transcripts are the record of what was "
                "offered and agreed, and are kept. Cancel the quote, or close it without award, "
                "instead of deleting it."
                for quote in negotiated
            ]
        return deleted, counts, perms_needed, protected

    recommendation_summary = _json_display("recommendation", "Recommendation")

    rerun_evaluation = _service_action(
        "Re-run the evaluation",
        "Evaluations re-run",
        lambda quote, request: services.quote_evaluate(quote=quote),
    )


class MessageInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The negotiation's transcript, in order."""

    model = Message
    fields = readonly_fields = [
        "seq",
        "round",
        "sender",
        "audience",
        "action",
        "text",
        "terms",
        "verdict",
        "guardrail_violations",
        "author",
        "created_at",
    ]
    ordering = ["seq"]
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("author")


class InvitationInline(ReadOnlyAdminMixin, admin.TabularInline):
    """An invited supplier's links: to whom, by whom, whether the email went, and revocations
    (no token: only its hash is stored, and that is not shown either)."""

    model = Invitation
    fields = readonly_fields = [
        "email",
        "created_by",
        "created_at",
        "sent_at",
        "send_error",
        "revoked_at",
    ]
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("created_by")


@admin.register(Negotiation)
class NegotiationAdmin(ReadOnlyAdminMixin, UsageColumns, OrganisationScopedAdmin):
    list_display = [
        "id",
        "quote",
        "supplier",
        "slot",
        "status",
        "round",
        "turns_taken",
        "last_activity_at",
        "tokens",
        "cost",
    ]
    list_filter = ["status", "supplier_mode", "brand_strategy"]
    superuser_list_filter = ("quote__organisation",)
    list_select_related = ["quote", "supplier"]
    search_fields = ["quote__product", "supplier__name", "error"]
    date_hierarchy = "created_at"
    readonly_fields = ["agent_call_link", "tokens", "cost", "final_terms_pretty"]
    exclude = ["final_terms", "lease_token"]
    inlines = [InvitationInline, MessageInline]
    actions = ["cancel_negotiations", "retry_failed_turns", "resend_stalled_turns"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(**_usage("agent_calls"))

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # The form is read-only, but the actions need the real change permission.
        return admin.ModelAdmin.has_change_permission(self, request, obj) and obj is None

    @admin.display(description="Agent calls")
    def agent_call_link(self, obj: Negotiation) -> str:
        url = reverse("admin:negotiations_agentcall_changelist")
        return format_html(
            '<a href="{}?negotiation__id__exact={}">{} traced calls</a>',
            url,
            obj.pk,
            obj.call_count,
        )

    final_terms_pretty = _json_display("final_terms", "Final terms")

    cancel_negotiations = _service_action(
        "Cancel the negotiation",
        "Negotiations cancelled",
        lambda n, request: services.negotiation_cancel(negotiation=n, author=request.user),
    )
    retry_failed_turns = _service_action(
        "Retry the failed turn",
        "Failed turns retried",
        lambda n, request: services.negotiation_retry(negotiation=n, author=request.user),
    )
    resend_stalled_turns = _service_action(
        "Resend the stalled turn",
        "Stalled turns resent",
        lambda n, request: services.negotiation_requeue(negotiation=n),
    )


@admin.register(Message)
class MessageAdmin(ReadOnlyAdminMixin, OrganisationScopedAdmin):
    list_display = [
        "negotiation",
        "seq",
        "round",
        "sender",
        "audience",
        "action",
        "verdict",
        "created_at",
    ]
    list_filter = ["sender", "audience", "action", "verdict"]
    list_select_related = ["negotiation__quote", "negotiation__supplier"]
    search_fields = [
        "text",
        "question",
        "negotiation__supplier__name",
        "negotiation__quote__product",
    ]
    date_hierarchy = "created_at"


@admin.register(AgentCall)
class AgentCallAdmin(ReadOnlyAdminMixin, OrganisationScopedAdmin):
    """The per-call trace: what the agent was given, what the model said, what it cost."""

    _summary = (
        "negotiation",
        "turn",
        "side",
        "voice",
        "model",
        "input_tokens",
        "output_tokens",
        "cache_read_tokens",
        "cost_usd",
        "latency_ms",
    )
    list_display = [*_summary, "fell_back", "created_at"]
    list_filter = ["voice", "side", "model"]
    list_select_related = ["negotiation__quote", "negotiation__supplier"]
    search_fields = [
        "fallback_reason",
        "negotiation__supplier__name",
        "negotiation__quote__product",
    ]
    date_hierarchy = "created_at"
    fields = [
        *_summary,
        "cache_write_tokens",
        "fallback_reason",
        "engine_input_pretty",
        "prompt_pretty",
        "raw_output_pretty",
        "parsed_move_pretty",
        "created_at",
    ]
    readonly_fields = fields

    @admin.display(description="Fell back", boolean=True)
    def fell_back(self, obj: AgentCall) -> bool:
        return bool(obj.fallback_reason)

    engine_input_pretty = _json_display("engine_input", "Engine input")

    prompt_pretty = _json_display("prompt", "Prompt")

    raw_output_pretty = _json_display("raw_output", "Raw output")

    parsed_move_pretty = _json_display("parsed_move", "Parsed move")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, OrganisationScopedAdmin):
    """What staff were told, to whom, and whether they read it."""

    list_display = ["user", "kind", "quote", "text", "created_at", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    superuser_list_filter = ("quote__organisation",)
    list_select_related = ["user", "quote"]
    search_fields = ["text", "user__username", "quote__product"]
    date_hierarchy = "created_at"
