from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ActionForm


class DecisionForm(ActionForm):
    """The admin's action bar with the reason every moderation decision needs (kept on the
    decided row and in the audit log)."""

    note = forms.CharField(required=False, label="Reason", widget=forms.TextInput(attrs={"size": 40}))


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by services and workers: staff read them here; nobody adds, edits or
    deletes them by hand."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
