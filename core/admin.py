from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by services and workers: staff read them here; nobody adds, edits or
    deletes them by hand."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class HistoryAdmin(SimpleHistoryAdmin):
    """The change page's "History" lists every saved version (who, when, why, which fields
    changed; core/history.py). A past version can be looked at, never restored: money and
    bookings change through the services only (SIMPLE_HISTORY_REVERT_DISABLED hides the button,
    this refuses the form's POST)."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_historical_record_context_helper(self, request, historical_record):
        return ChangesInWords(self.model, historical_record)


class ChangesInWords(HistoricalRecordContextHelper):
    """A changed state reads "Held while paying → Confirmed", not "held → confirmed"."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        return super().prepare_delta_change_value(change, value)
