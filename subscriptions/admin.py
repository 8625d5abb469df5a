from django.contrib import admin

from billing.admin import ReadOnlyMoneyAdmin
from core.admin import HistoryAdmin

from .models import Credit, Plan, Subscription


@admin.register(Plan)
class PlanAdmin(HistoryAdmin):
    list_display = ["name", "mentor", "price_display", "credits_per_period", "includes_qa", "is_published"]
    list_filter = ["is_published", "includes_qa", "currency"]
    search_fields = ["name", "mentor__user__email", "mentor__slug"]
    list_select_related = ["mentor__user"]
    # The price is what subscribers are charged through Stripe: mentors change it, staff don't.
    readonly_fields = ["price_amount", "currency", "stripe_product_id", "stripe_price_id", "stripe_price_key"]


class CreditInline(admin.TabularInline):
    model = Credit
    extra = 0
    can_delete = False
    fields = readonly_fields = ["period_start", "number", "expires_at", "booking", "spent_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Subscription)
class SubscriptionAdmin(HistoryAdmin, ReadOnlyMoneyAdmin):
    """Kept in step with Stripe Billing by its events; staff read it here."""

    list_display = ["mentee", "plan", "status", "cancel_at_period_end", "current_period_end", "provider"]
    list_filter = ["status", "provider", "cancel_at_period_end"]
    search_fields = ["mentee__email", "stripe_subscription_id", "plan__name", "mentor__user__email"]
    list_select_related = ["mentee", "plan"]
    inlines = [CreditInline]
