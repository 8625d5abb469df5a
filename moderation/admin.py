from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from core.admin import ReadOnlyAdmin
from sessions.models import Review

from . import services
from .models import AuditEntry, Report


class DecisionForm(ActionForm):
    """The admin's action bar with the reason every decision needs (kept on the report and in
    the audit log)."""

    note = forms.CharField(required=False, label="Reason", widget=forms.TextInput(attrs={"size": 40}))


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

    @admin.display(description="reported", ordering="target_repr")
    def reported(self, report: Report) -> str:
        return _admin_link(
            report.content_type, report.object_id, report.target_repr or f"#{report.object_id}"
        )

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
            except services.ModerationError as error:
                self.message_user(request, str(error), messages.ERROR)
                if not note.strip():
                    return
            else:
                done += 1
        if done:
            verb = "Upheld" if uphold else "Dismissed"
            self.message_user(request, f"{verb} {done} report{'s' if done != 1 else ''}.", messages.SUCCESS)
        else:
            self.message_user(request, "No open report was selected.", messages.WARNING)

    @admin.action(description="Uphold (hide the review) — needs a reason", permissions=["view"])
    def uphold(self, request, queryset):
        self._decide(request, queryset, uphold=True)

    @admin.action(description="Dismiss — needs a reason", permissions=["view"])
    def dismiss(self, request, queryset):
        self._decide(request, queryset, uphold=False)

    @admin.action(description="Restore the reported review — needs a reason", permissions=["view"])
    def restore_review(self, request, queryset):
        note = request.POST.get("note", "")
        ids = queryset.filter(kind=Report.Kind.REVIEW).values_list("object_id", flat=True)
        restored = 0
        for review in Review.objects.filter(pk__in=ids, is_hidden=True):
            try:
                services.review_restore(review=review, by=request.user, reason=note)
            except services.ModerationError as error:
                self.message_user(request, str(error), messages.ERROR)
                return
            restored += 1
        self.message_user(
            request, f"Restored {restored} review{'s' if restored != 1 else ''}.", messages.SUCCESS
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

    @admin.display(description="target", ordering="target_repr")
    def target(self, entry: AuditEntry) -> str:
        if entry.target_content_type is None:
            return entry.target_repr
        return _admin_link(entry.target_content_type, entry.target_id, entry.target_repr or entry.target_id)
