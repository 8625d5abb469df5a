from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from core.admin import IndexedSearchAdmin, ReadOnlyAdmin

from .models import Message, Question, QuestionOffer, Thread


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
    list_filter = [
        ("booking", admin.EmptyFieldListFilter),
        ("subscription", admin.EmptyFieldListFilter),
        ("question", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["mentee", "mentor__user", "booking__offering", "subscription__plan", "question"]
    search_fields = ["=mentee__email", "=mentor__user__email"]  # messages' words: in Messages
    readonly_fields = [
        "booking",
        "subscription",
        "question",
        "mentee",
        "mentor",
        "created_at",
        "last_message_at",
    ]
    fields = readonly_fields
    inlines = [MessageInline]
    date_hierarchy = "last_message_at"

    @admin.display(description=_("about"))
    def kind(self, thread: Thread) -> str:
        if thread.question_id:
            return "question"
        return "booking" if thread.booking_id else "subscription"


@admin.register(Message)
class MessageAdmin(IndexedSearchAdmin, ReadOnlyAdmin):
    """One Q&A message (a reported one links here from the report queue); read-only."""

    list_display = ["created_at", "thread", "author", "excerpt"]
    # The thread's title names its booking's offering or its subscription's plan, and both people.
    list_select_related = [
        "thread__booking__offering",
        "thread__subscription__plan",
        "thread__question",
        "thread__mentee",
        "thread__mentor__user",
        "author",
    ]
    search_fields = ["body", "=author__email"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = readonly_fields = ["thread", "author", "created_at", "body"]

    @admin.display(description=_("message"))
    def excerpt(self, message: Message) -> str:
        return Truncator(message.body).chars(80)


@admin.register(Question)
class QuestionAdmin(IndexedSearchAdmin, ReadOnlyAdmin):
    """Questions asked from mentors' profiles (free and paid); read-only. A paid one's money is in
    Payments (refund it there); its thread in Threads."""

    list_display = ["created_at", "kind", "state", "mentee", "mentor", "price", "due_at", "answered_at"]
    list_filter = ["kind", "state"]
    list_select_related = ["mentee", "mentor__user"]
    search_fields = ["=mentee__email", "=mentor__user__email"]
    date_hierarchy = "created_at"
    fields = readonly_fields = [
        "id",
        "kind",
        "state",
        "mentee",
        "mentor",
        "body",
        "price_amount",
        "currency",
        "answer_days",
        "hold_expires_at",
        "asked_at",
        "due_at",
        "answered_at",
        "closed_at",
        "mentor_told_at",
        "reminder_sent_at",
        "mentee_told_at",
        "created_at",
    ]

    @admin.display(description=_("price"))
    def price(self, question: Question) -> str:
        return question.price_display if question.is_paid else "free"


@admin.register(QuestionOffer)
class QuestionOfferAdmin(IndexedSearchAdmin, ReadOnlyAdmin):
    """Mentors' paid questions: price, days, on or off (the mentor sets them on their Questions page)."""

    list_display = ["mentor", "is_active", "price", "answer_days", "updated_at"]
    list_filter = ["is_active"]
    list_select_related = ["mentor__user"]
    search_fields = ["=mentor__user__email"]
    fields = readonly_fields = [
        "mentor",
        "is_active",
        "price_amount",
        "currency",
        "answer_days",
        "updated_at",
    ]

    @admin.display(description=_("price"))
    def price(self, offer: QuestionOffer) -> str:
        return offer.price_display
