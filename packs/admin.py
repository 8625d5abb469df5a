from django.contrib import admin

from billing.admin import ReadOnlyMoneyAdmin
from core.admin import HistoryAdmin

from .models import Pack, PackPurchase, PackSession


@admin.register(Pack)
class PackAdmin(HistoryAdmin):
    list_display = ["offering", "sessions", "discount_percent", "valid_months", "price_display"]
    list_display += ["is_published"]
    list_filter = ["is_published"]
    search_fields = ["offering__title", "offering__slug", "offering__mentor__user__email"]
    list_select_related = ["offering"]
    # The terms are what buyers are charged from: mentors set them, staff unpublish.
    readonly_fields = ["offering", "sessions", "discount_percent", "valid_months"]


class PackSessionInline(admin.TabularInline):
    model = PackSession
    extra = 0
    can_delete = False
    fields = readonly_fields = ["number", "booking", "spent_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PackPurchase)
class PackPurchaseAdmin(HistoryAdmin, ReadOnlyMoneyAdmin):
    """Bought packs: read-only; their money is in Payments (refund there), their sessions below."""

    list_display = ["mentee", "offering", "sessions", "price_display", "state", "paid_at", "expires_at"]
    list_filter = ["state", "currency"]
    search_fields = ["=id", "=mentee__email", "=mentor__user__email", "offering__slug"]
    list_select_related = ["mentee", "offering"]
    date_hierarchy = "created_at"
    inlines = [PackSessionInline]
