from collections.abc import Callable, Iterable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm


class DecisionForm(ActionForm):
    """The admin's action bar with the reason every moderation decision needs (kept in the audit
    log, and sent to the person where the action tells them)."""

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


class MoneyFieldsAdmin(admin.ModelAdmin):
    """Prices are the mentor's and change what people pay: moderators see them, only superusers
    change them here."""

    money_fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [name for name in self.money_fields if name not in fields]
        return fields


def act_on_each(
    model_admin: admin.ModelAdmin,
    request,
    objects: Iterable,
    act: Callable[[object, str], object],
    *,
    done: str,
    errors: tuple[type[Exception], ...],
    reason_required: bool = True,
) -> None:
    """An admin action that calls a service on each selected row with the reason typed in the
    action bar (`DecisionForm`). A missing reason stops it before anything changes; a refusal
    for one row is shown as a message and the other rows still go. `done` is formatted with
    the number of rows acted on."""
    reason = request.POST.get("note", "").strip()
    if reason_required and not reason:
        model_admin.message_user(request, "Give a reason; it is kept in the audit log.", messages.ERROR)
        return
    count = 0
    for obj in objects:
        try:
            act(obj, reason)
        except errors as error:
            model_admin.message_user(request, f"{obj}: {getattr(error, 'message', error)}", messages.ERROR)
        else:
            count += 1
    if count:
        model_admin.message_user(request, done.format(count), messages.SUCCESS)
