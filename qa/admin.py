from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Message, Thread


class MessageInline(admin.TabularInline):
    model = Message
    fields = ["created_at", "author", "body"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["created_at", "pk"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Thread)
class ThreadAdmin(ReadOnlyAdmin):
    """Staff read threads (a contested no-show, a complaint); nobody edits them here."""

    list_display = ["__str__", "kind", "mentee", "mentor", "last_message_at"]
    list_filter = [("booking", admin.EmptyFieldListFilter), ("subscription", admin.EmptyFieldListFilter)]
    list_select_related = ["mentee", "mentor__user", "booking__offering", "subscription__plan"]
    search_fields = ["mentee__email", "mentor__user__email", "messages__body"]
    readonly_fields = ["booking", "subscription", "mentee", "mentor", "created_at", "last_message_at"]
    fields = readonly_fields
    inlines = [MessageInline]
    date_hierarchy = "last_message_at"

    @admin.display(description="about")
    def kind(self, thread: Thread) -> str:
        return "booking" if thread.booking_id else "subscription"
