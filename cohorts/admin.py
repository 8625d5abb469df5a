"""Staff moderation of cohorts. Rows that carry seats, money or the calendar are written by the
services (facilitators and members act on their own pages); staff read them, fix wording, and
act through actions that call the same services."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import HistoryAdmin, ReadOnlyAdmin
from core.errors import DomainError

from . import services
from .models import (
    CalendarFeed,
    Cohort,
    CohortEvent,
    CohortMessage,
    Enrollment,
    Module,
    PeerReview,
    Submission,
)
from .selectors import with_seats

STAFF_CANCEL_REASON = "Cancelled by staff"
State = Enrollment.State


def _changelist(model: str, **filters) -> str:
    return f"{reverse(f'admin:cohorts_{model}_changelist')}?{urlencode(filters)}"


class ModuleInline(admin.StackedInline):
    """Wording can be fixed here; dates move on the facilitator's page, where reminders follow."""

    model = Module
    extra = 0
    can_delete = False
    fields = [
        "week",
        "title",
        "release_at",
        "assignment_due_at",
        "critique_opened_at",
        "content",
        "assignment",
    ]
    readonly_fields = ["week", "release_at", "assignment_due_at", "critique_opened_at"]

    def has_add_permission(self, request, obj=None):
        return False


class CohortEventInline(admin.TabularInline):
    model = CohortEvent
    extra = 0
    can_delete = False
    show_change_link = True
    fields = readonly_fields = ["kind", "title", "starts_at", "ends_at", "is_cancelled", "sequence"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Cohort)
class CohortAdmin(HistoryAdmin):
    list_display = ["title", "facilitator", "status", "start_date", "seats", "waitlist"]
    list_filter = ["status", "start_date", "skills"]
    list_select_related = ["facilitator__user"]
    search_fields = ["title", "slug", "facilitator__user__display_name", "facilitator__user__email"]
    date_hierarchy = "start_date"
    filter_horizontal = ["skills"]
    inlines = [ModuleInline, CohortEventInline]
    actions = ["cancel_and_refund"]
    # What the services own: who runs it, its lifecycle, and (once published) seats, dates and money.
    ALWAYS_READ_ONLY = [
        "facilitator",
        "status",
        "published_at",
        "cancelled_at",
        "cancel_reason",
        "finished_at",
        "created_at",
    ]
    READ_ONLY_ONCE_PUBLISHED = [
        "slug",
        "price_amount",
        "currency",
        "start_date",
        "weeks",
        "timezone",
        "seats_min",
        "seats_max",
        "enrollment_deadline",
    ]

    def get_queryset(self, request):
        return with_seats(super().get_queryset(request))

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != Cohort.Status.DRAFT:
            return self.ALWAYS_READ_ONLY + self.READ_ONLY_ONCE_PUBLISHED
        return self.ALWAYS_READ_ONLY

    def has_add_permission(self, request):
        return False  # a cohort is created by its facilitator, who must be an approved mentor

    def has_delete_permission(self, request, obj=None):
        return False  # cancel instead: members are refunded and told

    @admin.display(description=_("seats taken / max"), ordering="seats_taken")
    def seats(self, obj):
        return format_html(
            '<a href="{}">{} / {}</a>',
            _changelist("enrollment", cohort__id__exact=obj.pk),
            obj.seats_taken,
            obj.seats_max,
        )

    @admin.display(description=_("waitlist"), ordering="waitlist_count")
    def waitlist(self, obj):
        if not obj.waitlist_count:
            return 0
        return format_html(
            '<a href="{}">{}</a>',
            _changelist("enrollment", cohort__id__exact=obj.pk, place=WaitlistFilter.WAITLIST),
            obj.waitlist_count,
        )

    @admin.action(description=_("Cancel cohort and refund everyone"), permissions=["change"])
    def cancel_and_refund(self, request, queryset):
        for cohort in queryset:
            if cohort.status == Cohort.Status.CANCELLED:
                self.message_user(
                    request, _("%(cohort)s: already cancelled.") % {"cohort": cohort}, messages.WARNING
                )
                continue
            try:
                services.cohort_cancel(cohort=cohort, by=request.user, reason=STAFF_CANCEL_REASON)
            except DomainError as error:
                self.message_user(request, f"{cohort}: {error.message}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(cohort)s: cancelled; paid members are being refunded.") % {"cohort": cohort},
                    messages.SUCCESS,
                )


class WaitlistFilter(admin.SimpleListFilter):
    """The waitlist, in the order seats are offered (first come, first offered)."""

    title = _("place")
    parameter_name = "place"
    WAITLIST = "waitlist"

    def lookups(self, request, model_admin):
        return [
            (self.WAITLIST, _("Waitlist (in offer order)")),
            ("seat", _("Holding a seat")),
            ("gone", _("Left, lapsed or cancelled")),
        ]

    def queryset(self, request, queryset):
        if self.value() == self.WAITLIST:
            return queryset.filter(state__in=[State.WAITLISTED, State.OFFERED])
        if self.value() == "seat":
            return queryset.filter(state__in=Enrollment.SEAT_STATES)
        if self.value() == "gone":
            return queryset.exclude(state__in=Enrollment.OPEN_STATES)
        return queryset


@admin.register(Enrollment)
class EnrollmentAdmin(HistoryAdmin):
    list_display = ["member", "cohort", "state", "price", "joined_at", "waitlisted_at", "offer_expires_at"]
    list_filter = [WaitlistFilter, "state", "cohort"]
    list_select_related = ["member", "cohort"]
    search_fields = ["member__email", "member__display_name", "cohort__title"]
    fields = [
        "cohort",
        "member",
        "state",
        "price_amount",
        "currency",
        "norms_accepted_at",
        "hold_expires_at",
        "waitlisted_at",
        "offer_expires_at",
        "joined_at",
        "left_at",
        "completed_at",
        "created_at",
        "outcome_note",
        "facilitator_notes",
    ]
    readonly_fields = [f for f in fields if f not in ("outcome_note", "facilitator_notes")]

    def get_ordering(self, request):
        if request.GET.get(WaitlistFilter.parameter_name) == WaitlistFilter.WAITLIST:
            return ["cohort__start_date", "cohort_id", "waitlisted_at", "created_at"]
        return ["-created_at"]

    def has_add_permission(self, request):
        return False  # people enroll from the cohort page, where seats are counted under a lock

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("price"), ordering="price_amount")
    def price(self, obj):
        return obj.price_display


class DoneFilter(admin.SimpleListFilter):
    title = _("written")
    parameter_name = "done"

    def lookups(self, request, model_admin):
        return [("yes", _("Done")), ("no", _("Not done yet"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(submitted_at__isnull=self.value() == "no")
        return queryset


@admin.register(CohortEvent)
class CohortEventAdmin(ReadOnlyAdmin):
    """Read-only: moving or cancelling an event bumps members' calendars and reminders, so the
    facilitator does it on the cohort's calendar page."""

    list_display = ["display_title", "cohort", "kind", "starts_at", "ends_at", "is_cancelled"]
    list_filter = ["kind", "is_cancelled", "cohort"]
    list_select_related = ["cohort"]
    search_fields = ["title", "cohort__title"]
    date_hierarchy = "starts_at"
    readonly_fields = [f.name for f in CohortEvent._meta.fields]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["author", "module", "cohort", "submitted_at", "updated_at"]
    list_filter = [("module__cohort", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["text", "links", "enrollment__member__email", "module__cohort__title", "module__title"]
    fields = ["module", "enrollment", "text", "links", "submitted_at", "updated_at"]
    readonly_fields = ["module", "enrollment", "submitted_at", "updated_at"]

    def get_queryset(self, request):
        # For the list and the change page alike (a select_related here replaces list_select_related).
        related = ["enrollment__member", "enrollment__cohort", "module__cohort"]
        return super().get_queryset(request).select_related(*related)

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("member"), ordering="enrollment__member__email")
    def author(self, obj):
        return obj.enrollment.member

    @admin.display(ordering="module__cohort__title")
    def cohort(self, obj):
        return obj.module.cohort


@admin.register(PeerReview)
class PeerReviewAdmin(admin.ModelAdmin):
    list_display = ["submission_author", "reviewer_name", "module", "assigned_at", "submitted_at", "done"]
    list_filter = [DoneFilter, ("submission__module__cohort", admin.RelatedOnlyFieldListFilter)]
    search_fields = [
        "reviewer__member__email",
        "submission__enrollment__member__email",
        "submission__module__cohort__title",
    ]
    fields = [
        "submission",
        "reviewer",
        "what_works",
        "suggestion",
        "question",
        "assigned_at",
        "submitted_at",
    ]
    readonly_fields = ["submission", "reviewer", "assigned_at", "submitted_at"]

    def get_queryset(self, request):
        # For the list and the change page alike (a select_related here replaces list_select_related).
        related = [
            "submission__enrollment__member",
            "submission__module",
            "reviewer__member",
            "reviewer__cohort",
        ]
        return super().get_queryset(request).select_related(*related)

    def has_add_permission(self, request):
        return False  # reviewers are assigned by opening a critique round

    @admin.display(description=_("work by"), ordering="submission__enrollment__member__email")
    def submission_author(self, obj):
        return obj.submission.enrollment.member

    @admin.display(description=_("reviewer"), ordering="reviewer__member__email")
    def reviewer_name(self, obj):
        return obj.reviewer.member

    @admin.display(ordering="submission__module__week")
    def module(self, obj):
        return obj.submission.module

    @admin.display(boolean=True)
    def done(self, obj):
        return obj.is_done


@admin.register(CohortMessage)
class CohortMessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "cohort", "author", "sent_at"]
    list_filter = [("cohort", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["cohort", "author"]
    search_fields = ["subject", "body", "cohort__title", "author__email"]
    fields = ["cohort", "author", "subject", "body", "sent_at"]
    readonly_fields = ["cohort", "author", "sent_at"]

    def has_add_permission(self, request):
        return False  # facilitators write to their members from the cohort page


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """The token is a secret address: shown on the change page only, never listed or searched."""

    list_display = ["user", "created_at"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__display_name"]
    fields = readonly_fields = ["user", "token", "created_at"]
    actions = ["regenerate"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Regenerate the address (the old one stops working)"), permissions=["change"])
    def regenerate(self, request, queryset):
        for feed in queryset.select_related("user"):
            services.calendar_feed_regenerate(user=feed.user)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("Regenerated %(count)d feed address.", "Regenerated %(count)d feed addresses.", count)
            % {"count": count},
            messages.SUCCESS,
        )
