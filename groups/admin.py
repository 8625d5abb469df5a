from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from billing.admin import ReadOnlyMoneyAdmin
from core.admin import HistoryAdmin
from core.errors import DomainError

from . import services
from .models import GroupSeat, GroupSession


class GroupSeatInline(admin.TabularInline):
    model = GroupSeat
    extra = 0
    can_delete = False
    fields = readonly_fields = ["mentee", "state", "price_amount", "currency", "confirmed_at", "cancelled_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(GroupSession)
class GroupSessionAdmin(HistoryAdmin):
    """Group sessions: their terms are the mentor's; staff may cancel one (everyone refunded)."""

    list_display = ["title", "mentor", "starts_at", "seats", "seats_min", "price_display", "state"]
    list_filter = ["state", "currency"]
    search_fields = ["=id", "title", "=mentor__user__email"]
    list_select_related = ["mentor__user"]
    date_hierarchy = "starts_at"
    readonly_fields = ["mentor", "starts_at", "ends_at", "seats", "seats_min", "price_amount", "currency"]
    readonly_fields += ["state", "decided_at", "cancelled_at", "cancel_reason"]
    inlines = [GroupSeatInline]
    actions = ["cancel_and_refund"]

    def has_add_permission(self, request):
        return False  # mentors create them, through the service's checks

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Cancel and refund every seat"))
    def cancel_and_refund(self, request, queryset):
        for group_session in queryset:
            try:
                services.group_session_cancel(
                    group_session=group_session, by=request.user, reason="cancelled by staff"
                )
            except DomainError as error:
                self.message_user(request, f"{group_session}: {error.message}", messages.ERROR)


@admin.register(GroupSeat)
class GroupSeatAdmin(HistoryAdmin, ReadOnlyMoneyAdmin):
    """Seats: read-only; their money is in Payments (refund there)."""

    list_display = ["mentee", "group_session", "state", "price_amount", "currency", "confirmed_at"]
    list_filter = ["state", "currency"]
    search_fields = ["=id", "=mentee__email", "group_session__title"]
    list_select_related = ["mentee", "group_session"]
    date_hierarchy = "created_at"
