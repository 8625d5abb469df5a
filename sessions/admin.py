from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.admin import CurrencyFilter, HistoryAdmin, IndexedSearchAdmin, MoneyFieldsAdmin

from .models import ActionItem, Booking, BookingEvent, BookingSeries, Offering, Review
from .previews import mentor_refresh_min_price, mentors_refresh_min_prices
from .request_admin import BookingApprovalAdmin  # noqa: F401 - registers the requests' admin

# Staff decisions on these lists (take an offering down, hide a review, decide a no-show) are
# moderation's: moderation/admin.py registers these admins again with its actions.


@admin.register(Offering)
class OfferingAdmin(MoneyFieldsAdmin, HistoryAdmin):
    list_display = [
        "title",
        "mentor",
        "duration_minutes",
        "price_amount",
        "currency",
        "is_published",
    ]
    list_filter = ["is_published", "requires_approval", "duration_minutes", "currency"]
    search_fields = ["title", "outcome", "mentor__user__display_name", "=mentor__user__email"]
    list_select_related = ["mentor__user"]
    ordering = ["-id"]  # the newest first, in the primary key's order
    readonly_fields = ["created_at"]
    money_fields = ("price_amount", "currency")
    raw_id_fields = ["mentor"]

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            mentor_refresh_min_price(mentor_id=obj.mentor_id)

    def delete_model(self, request, obj):
        with transaction.atomic():
            super().delete_model(request, obj)
            mentor_refresh_min_price(mentor_id=obj.mentor_id)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            mentor_ids = set(queryset.values_list("mentor_id", flat=True))
            super().delete_queryset(request, queryset)
            mentors_refresh_min_prices(mentor_ids=mentor_ids)


class BookingEventInline(admin.TabularInline):
    model = BookingEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "from_state", "to_state", "note"]

    def has_add_permission(self, request, obj=None):
        return False


class NeedsReviewFilter(admin.SimpleListFilter):
    title = _("staff review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("needed", _("Needs review (still open)")),
            ("contested", _("No-show contested (open)")),
            ("flagged", _("Ever flagged")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "needed":
            return queryset.filter(review_flagged_at__isnull=False, state=Booking.State.CONFIRMED)
        if self.value() == "contested":
            return queryset.filter(noshow_dispute__status="open")
        if self.value() == "flagged":
            return queryset.filter(review_flagged_at__isnull=False)
        return queryset


@admin.register(Booking)
class BookingAdmin(IndexedSearchAdmin, HistoryAdmin):
    """Read-only; sessions flagged for review ("Needs review") or contested are decided with
    moderation's actions."""

    list_display = [
        "pk",
        "offering",
        "mentee",
        "mentor",
        "starts_at",
        "state",
        "price_amount",
        "currency",
    ]
    list_filter = [NeedsReviewFilter, "state", CurrencyFilter]
    # Whole ids and e-mail addresses: a substring search would read every booking.
    search_fields = ["=id", "=mentee__email", "=mentor__user__email"]
    list_select_related = ["offering", "mentee", "mentor__user"]
    show_full_result_count = False
    date_hierarchy = "starts_at"
    inlines = [BookingEventInline]
    readonly_fields = [f.name for f in Booking._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OccurrenceInline(admin.TabularInline):
    model = Booking
    fk_name = "series"
    extra = 0
    can_delete = False
    fields = ["starts_at", "state", "price_amount", "currency"]
    readonly_fields = fields
    show_change_link = True
    ordering = ["starts_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(BookingSeries)
class BookingSeriesAdmin(IndexedSearchAdmin):
    """Weekly series with their bookings (read-only: each occurrence is changed as a booking)."""

    list_display = ["pk", "offering", "mentee", "mentor", "weeks_asked", "created_at"]
    list_filter = ["weeks_asked"]
    search_fields = ["=id", "=mentee__email", "=mentor__user__email"]
    list_select_related = ["offering", "mentee", "mentor__user"]
    show_full_result_count = False
    date_hierarchy = "created_at"
    inlines = [OccurrenceInline]
    readonly_fields = [f.name for f in BookingSeries._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ActionItem)
class ActionItemAdmin(IndexedSearchAdmin):
    list_display = ["text", "booking", "due_date", "done_at"]
    list_filter = ["due_date"]
    search_fields = ["text", "=booking__mentee__email"]
    list_select_related = ["booking__offering"]
    show_full_result_count = False
    raw_id_fields = ["booking"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["booking", "rating", "is_hidden", "created_at"]
    list_filter = ["rating", "is_hidden"]
    search_fields = ["text", "mentor_reply"]
    list_select_related = ["booking__offering"]
    show_full_result_count = False
    readonly_fields = ["booking", "rating", "text", "mentor_reply", "replied_at", "created_at"]
