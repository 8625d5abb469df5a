from django.contrib import admin
from django.utils.text import Truncator

from core.admin import IndexedSearchAdmin, ReadOnlyAdmin

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
class ThreadAdmin(IndexedSearchAdmin, ReadOnlyAdmin):
    """Staff read threads (a contested no-show, a complaint); nobody edits them here."""

    list_display = ["__str__", "kind", "mentee", "mentor", "last_message_at"]
    list_filter = [("booking", admin.EmptyFieldListFilter), ("subscription", admin.EmptyFieldListFilter)]
    list_select_related = ["mentee", "mentor__user", "booking__offering", "subscription__plan"]
    search_fields = ["=mentee__email", "=mentor__user__email"]  # messages' words: in Messages
    readonly_fields = ["booking", "subscription", "mentee", "mentor", "created_at", "last_message_at"]
    fields = readonly_fields
    inlines = [MessageInline]
    date_hierarchy = "last_message_at"

    @admin.display(description="about")
    def kind(self, thread: Thread) -> str:
        return "booking" if thread.booking_id else "subscription"


@admin.register(Message)
class MessageAdmin(IndexedSearchAdmin, ReadOnlyAdmin):
    """One Q&A message (a reported one links here from the report queue); read-only."""

    list_display = ["created_at", "thread", "author", "excerpt"]
    # The thread's title names its booking's offering or its subscription's plan, and both people.
    list_select_related = [
        "thread__booking__offering",
        "thread__subscription__plan",
        "thread__mentee",
        "thread__mentor__user",
        "author",
    ]
    search_fields = ["body", "=author__email"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = readonly_fields = ["thread", "author", "created_at", "body"]

    @admin.display(description="message")
    def excerpt(self, message: Message) -> str:
        return Truncator(message.body).chars(80)
