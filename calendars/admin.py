from django.contrib import admin

from .models import CalendarConnection


@admin.register(CalendarConnection)
class CalendarConnectionAdmin(admin.ModelAdmin):
    """State only: the calendar's address is a credential and never shown."""

    list_display = ("name", "mentor", "kind", "last_synced_at", "failures", "last_error")
    list_filter = ("kind",)
    search_fields = ("name", "mentor__user__email")
    fields = (
        "mentor",
        "kind",
        "name",
        "last_synced_at",
        "last_attempt_at",
        "next_sync_at",
        "failures",
        "last_error",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False
