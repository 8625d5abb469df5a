"""Requests to book in the admin: each request, its booking's state and its answer (read-only: the
mentor answers, the sweep lets it lapse, staff cancel the booking itself if they must)."""

from django.contrib import admin

from .models import BookingApproval


@admin.register(BookingApproval)
class BookingApprovalAdmin(admin.ModelAdmin):
    list_display = ["booking", "booking_state", "mentor", "mentee", "requested_at", "answer_by"]
    list_display += ["decision", "decided_at"]
    list_filter = ["decision", "booking__state"]
    search_fields = ["=booking__id", "=booking__mentee__email", "=booking__mentor__user__email"]
    list_select_related = ["booking__offering", "booking__mentee", "booking__mentor__user"]
    ordering = ["-id"]
    fields = readonly_fields = [
        "booking",
        "requested_at",
        "answer_by",
        "decision",
        "decided_at",
        "message",
        "reminder_sent_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="state", ordering="booking__state")
    def booking_state(self, obj: BookingApproval) -> str:
        return obj.booking.get_state_display()

    @admin.display(description="mentor")
    def mentor(self, obj: BookingApproval) -> str:
        return obj.booking.mentor.user.name

    @admin.display(description="mentee")
    def mentee(self, obj: BookingApproval) -> str:
        return obj.booking.mentee.name
