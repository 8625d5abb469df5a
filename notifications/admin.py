from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import IndexedSearchAdmin

from . import services
from .models import Notification


@admin.register(Notification)
class NotificationAdmin(IndexedSearchAdmin):
    list_display = ["pk", "kind", "state", "due_at", "attempts", "sent_at", "booking", "enrollment", "person"]
    list_filter = ["kind", "state"]
    search_fields = [
        "=booking__id",
        "=booking__mentee__email",
        "=booking__mentor__user__email",
        "=enrollment__member__email",
    ]
    list_select_related = ["booking__offering", "booking__mentee", "enrollment__member", "enrollment__cohort"]
    date_hierarchy = "due_at"
    show_full_result_count = False
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

    @admin.display(description=_("mentee or member"))
    def person(self, obj: Notification) -> str:
        return (obj.booking.mentee if obj.booking_id else obj.enrollment.member).email

    @admin.action(description=_("Send again (back to pending, due now)"), permissions=["change"])
    def send_again(self, request, queryset):
        for notification in queryset:
            services.notification_send_again(notification=notification)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%(count)d notification queued again.", "%(count)d notifications queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )
