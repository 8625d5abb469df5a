from django.contrib import admin, messages

from . import services
from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "state", "due_at", "attempts", "sent_at", "booking", "mentee_email"]
    list_filter = ["kind", "state"]
    search_fields = ["booking__id", "booking__mentee__email", "booking__mentor__user__email"]
    list_select_related = ["booking__offering", "booking__mentee"]
    date_hierarchy = "due_at"
    readonly_fields = [
        "booking",
        "kind",
        "due_at",
        "state",
        "attempts",
        "last_error",
        "claimed_at",
        "sent_at",
        "answer",
        "answered_at",
        "created_at",
    ]
    actions = ["send_again"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="mentee", ordering="booking__mentee__email")
    def mentee_email(self, obj: Notification) -> str:
        return obj.booking.mentee.email

    @admin.action(description="Send again (back to pending, due now)", permissions=["change"])
    def send_again(self, request, queryset):
        for notification in queryset:
            services.notification_send_again(notification=notification)
        self.message_user(request, f"{queryset.count()} notification(s) queued again.", messages.SUCCESS)
