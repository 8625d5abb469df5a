from django.contrib import admin

from .models import Widget


@admin.register(Widget)
class WidgetAdmin(admin.ModelAdmin):
    list_display = ("mentor", "accent", "updated_at")
    list_filter = ("accent",)
    search_fields = ("mentor__user__email", "mentor__user__display_name", "mentor__slug")
    list_select_related = ("mentor__user",)
    raw_id_fields = ("mentor",)
    readonly_fields = ("updated_at",)
