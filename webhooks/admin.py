from django.contrib import admin

from .models import WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Read only: the signing secret is the mentor's and never shown."""

    list_display = ("url", "mentor", "is_active", "created_at")
    list_filter = ("is_active",)
    list_select_related = ("mentor__user",)
    search_fields = ("url", "description", "mentor__user__email")
    fields = ("mentor", "url", "description", "events", "is_active", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log, read only (a mentor sends an event again from their own page)."""

    list_display = ("event_type", "endpoint", "state", "attempts", "last_response_code", "created_at")
    list_filter = ("state", "event_type")
    list_select_related = ("endpoint",)
    search_fields = ("event_id", "endpoint__url", "endpoint__mentor__user__email")
    date_hierarchy = "created_at"
    fields = (
        "endpoint",
        "event_type",
        "event_id",
        "payload",
        "state",
        "attempts",
        "next_attempt_at",
        "give_up_at",
        "last_attempt_at",
        "last_response_code",
        "last_response_excerpt",
        "last_error",
        "delivered_at",
        "created_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
