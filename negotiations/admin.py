from django.contrib import admin

from negotiations.models import AgentCall, Message, Negotiation, Quote


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = ["product", "organisation", "quantity", "status", "created_at"]
    list_filter = ["status", "organisation"]
    search_fields = ["product", "description"]
    date_hierarchy = "created_at"


@admin.register(Negotiation)
class NegotiationAdmin(admin.ModelAdmin):
    list_display = ["quote", "supplier", "slot", "status", "round"]
    list_filter = ["status"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["negotiation", "seq", "sender", "action", "created_at"]
    list_filter = ["sender", "action"]


@admin.register(AgentCall)
class AgentCallAdmin(admin.ModelAdmin):
    list_display = ["negotiation", "turn", "side", "voice", "input_tokens", "output_tokens"]
    list_filter = ["voice", "side"]
