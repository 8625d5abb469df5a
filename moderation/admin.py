from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import DecisionForm, ReadOnlyAdmin, act_on_each
from core.errors import DomainError
from sessions import admin as sessions_admin
from sessions.models import Booking, Offering, Review

from . import selectors, services
from .models import AuditEntry, NoShowDispute, Report, Strike


def _admin_link(content_type, object_id, text: str) -> str:
    try:
        url = reverse(f"admin:{content_type.app_label}_{content_type.model}_change", args=[object_id])
    except NoReverseMatch:
        return text
    return format_html('<a href="{}">{}</a>', url, text)


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """The queue of user reports: pick reports, type a reason, uphold or dismiss."""

    action_form = DecisionForm
    actions = ["uphold", "dismiss", "restore_review"]
    list_display = ["created_at", "kind", "reported", "reason", "reporter", "status", "decided_by"]
    list_filter = ["status", "reason", "kind", "content_type"]
    list_select_related = ["reporter", "content_type", "decided_by"]
    search_fields = ["target_repr", "note", "reporter__email", "decision_note"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "reporter",
        "kind",
        "reported",
        "reason",
        "note",
        "status",
        "decided_by",
        "decided_at",
        "decision_note",
        "created_at",
    ]
    fields = readonly_fields

    @admin.display(description=_("reported"), ordering="target_repr")
    def reported(self, report: Report) -> str:
        return _admin_link(
            report.content_type, report.object_id, report.target_repr or f"#{report.object_id}"
        )

    def get_urls(self):
        queue = path("queue/", self.admin_site.admin_view(self.queue_view), name="moderation_queue")
        return [queue, *super().get_urls()]

    def queue_view(self, request):
        """Everything waiting for a moderator on one page, each section linking to its list."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Moderation queue"),
            "sections": selectors.moderation_queue(),
        }
        return TemplateResponse(request, "admin/moderation/queue.html", context)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # Seen in the queue, changed only by the actions (through the services).
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def _decide(self, request, queryset, *, uphold: bool) -> None:
        note = request.POST.get("note", "")
        done = 0
        for report in queryset.filter(status=Report.Status.OPEN):
            report.refresh_from_db(fields=["status"])
            if not report.is_open:  # decided with an earlier one of the same object
                continue
            try:
                services.report_decide(report=report, by=request.user, uphold=uphold, note=note)
            except DomainError as error:
                self.message_user(request, str(error), messages.ERROR)
                if not note.strip():
                    return
            else:
                done += 1
        if done:
            text = (
                ngettext("Upheld %(count)d report.", "Upheld %(count)d reports.", done)
                if uphold
                else ngettext("Dismissed %(count)d report.", "Dismissed %(count)d reports.", done)
            )
            self.message_user(request, text % {"count": done}, messages.SUCCESS)
        else:
            self.message_user(request, _("No open report was selected."), messages.WARNING)

    @admin.action(
        description=_("Uphold (hide the review or message, take the offering down) — needs a reason"),
        permissions=["change"],
    )
    def uphold(self, request, queryset):
        self._decide(request, queryset, uphold=True)

    @admin.action(description=_("Dismiss — needs a reason"), permissions=["change"])
    def dismiss(self, request, queryset):
        self._decide(request, queryset, uphold=False)

    @admin.action(description=_("Restore the reported review — needs a reason"), permissions=["change"])
    def restore_review(self, request, queryset):
        note = request.POST.get("note", "")
        ids = queryset.filter(kind=Report.Kind.REVIEW).values_list("object_id", flat=True)
        restored = 0
        for review in Review.objects.filter(pk__in=ids, is_hidden=True):
            try:
                services.review_restore(review=review, by=request.user, reason=note)
            except DomainError as error:
                self.message_user(request, str(error), messages.ERROR)
                return
            restored += 1
        self.message_user(
            request,
            ngettext("Restored %(count)d review.", "Restored %(count)d reviews.", restored)
            % {"count": restored},
            messages.SUCCESS,
        )


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Who did what, when and why; written by the services, read-only for everyone."""

    list_display = ["created_at", "actor", "action", "target", "reason"]
    list_filter = ["action", "target_content_type"]
    list_select_related = ["actor", "target_content_type"]
    search_fields = ["target_repr", "reason", "actor__email", "action"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = ["created_at", "actor", "action", "target", "target_content_type", "target_id", "reason"]
    readonly_fields = fields

    @admin.display(description=_("target"), ordering="target_repr")
    def target(self, entry: AuditEntry) -> str:
        if entry.target_content_type is None:
            return entry.target_repr
        return _admin_link(entry.target_content_type, entry.target_id, entry.target_repr or entry.target_id)


def _decide_no_shows(modeladmin, request, bookings, outcome: str) -> None:
    label = NoShowDispute.Outcome(outcome).label.lower()
    act_on_each(
        modeladmin,
        request,
        bookings,
        lambda booking, reason: services.noshow_decide(
            booking=booking, by=request.user, outcome=outcome, reason=reason
        ),
        done=_("Decided {count} session(s): {decision}.").format(count="{}", decision=label),
        errors=(services.ModerationError,),
    )


class NoShowDecisions:
    """The three decisions on a flagged or contested session, as admin actions with a reason;
    for staff allowed to change no-show disputes (money moves)."""

    action_form = DecisionForm

    def has_decide_permission(self, request) -> bool:
        return request.user.has_perm("moderation.change_noshowdispute")

    def _bookings(self, queryset):
        return queryset

    @admin.action(
        description=_("Decide: session happened (mentor paid) — needs a reason"), permissions=["decide"]
    )
    def decide_happened(self, request, queryset):
        _decide_no_shows(self, request, self._bookings(queryset), NoShowDispute.Outcome.HAPPENED)

    @admin.action(
        description=_("Decide: mentee was absent (mentor paid) — needs a reason"), permissions=["decide"]
    )
    def decide_mentee_absent(self, request, queryset):
        _decide_no_shows(self, request, self._bookings(queryset), NoShowDispute.Outcome.MENTEE_ABSENT)

    @admin.action(
        description=_("Decide: mentor was absent (full refund, strike) — needs a reason"),
        permissions=["decide"],
    )
    def decide_mentor_absent(self, request, queryset):
        _decide_no_shows(self, request, self._bookings(queryset), NoShowDispute.Outcome.MENTOR_ABSENT)

    NO_SHOW_ACTIONS = ["decide_happened", "decide_mentee_absent", "decide_mentor_absent"]


# Sessions' own lists, registered again with the staff decisions on them (sessions/admin.py).
admin.site.unregister([Booking, Offering, Review])


@admin.register(Booking)
class BookingAdmin(NoShowDecisions, sessions_admin.BookingAdmin):
    actions = NoShowDecisions.NO_SHOW_ACTIONS


@admin.register(Offering)
class OfferingAdmin(sessions_admin.OfferingAdmin):
    action_form = DecisionForm
    actions = ["take_down"]

    @admin.action(
        description=_("Take down (unpublish; e-mails the mentor) — needs a reason"), permissions=["change"]
    )
    def take_down(self, request, queryset):
        act_on_each(
            self,
            request,
            queryset.filter(is_published=True),
            lambda offering, reason: services.offering_take_down(
                offering=offering, by=request.user, reason=reason
            ),
            done=_("Offerings taken down: {}."),
            errors=(services.ModerationError,),
        )


@admin.register(Review)
class ReviewAdmin(sessions_admin.ReviewAdmin):
    action_form = DecisionForm
    actions = ["hide", "restore"]

    # Through the moderation services, so each change is in the audit log with who did it and why.
    @admin.action(description=_("Hide selected reviews — needs a reason"), permissions=["change"])
    def hide(self, request, queryset):
        act_on_each(
            self,
            request,
            queryset.filter(is_hidden=False),
            lambda review, reason: services.review_hide(review=review, by=request.user, reason=reason),
            done=_("Reviews hidden: {}."),
            errors=(services.ModerationError,),
        )

    @admin.action(description=_("Restore selected reviews — needs a reason"), permissions=["change"])
    def restore(self, request, queryset):
        act_on_each(
            self,
            request,
            queryset.filter(is_hidden=True),
            lambda review, reason: services.review_restore(review=review, by=request.user, reason=reason),
            done=_("Reviews restored: {}."),
            errors=(services.ModerationError,),
        )


@admin.register(NoShowDispute)
class NoShowDisputeAdmin(NoShowDecisions, ReadOnlyAdmin):
    """Contested no-show reports: read the note and the booking's history, then decide."""

    actions = NoShowDecisions.NO_SHOW_ACTIONS
    list_display = [
        "created_at",
        "session",
        "reported_state",
        "contested_by",
        "status",
        "decision",
        "decided_by",
        "money_note",
    ]
    list_filter = ["status", "decision", "reported_state"]
    list_select_related = ["booking__offering", "contested_by", "decided_by"]
    search_fields = ["booking__id", "contested_by__email", "note", "decision_note"]
    date_hierarchy = "created_at"
    fields = readonly_fields = [
        "session",
        "reported_state",
        "contested_by",
        "note",
        "created_at",
        "status",
        "decision",
        "decided_by",
        "decided_at",
        "decision_note",
        "money_note",
    ]

    def _bookings(self, queryset):
        return [dispute.booking for dispute in queryset.select_related("booking")]

    @admin.display(description=_("session"), ordering="booking__starts_at")
    def session(self, dispute: NoShowDispute) -> str:
        url = reverse("admin:mentoring_booking_change", args=[dispute.booking_id])
        return format_html('<a href="{}">{}</a>', url, dispute.booking)


@admin.register(Strike)
class StrikeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "mentor", "booking", "status", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["mentor__user", "booking__offering"]
    search_fields = ["mentor__user__email", "mentor__user__display_name", "booking__id"]
    date_hierarchy = "created_at"
    fields = readonly_fields = ["mentor", "booking", "status", "created_at", "decided_at"]


from . import mentor_admin  # noqa: E402,F401 - registers MentorProfile and Suspension
