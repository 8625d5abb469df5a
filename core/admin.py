import operator
from collections.abc import Callable, Iterable
from functools import reduce

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.constants import LOOKUP_SEP
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from .models import ExchangeRate
from .money import CURRENCIES


class DecisionForm(ActionForm):
    """The admin's action bar with the reason every moderation decision needs (kept in the audit
    log, and sent to the person where the action tells them)."""

    note = forms.CharField(required=False, label=_("Reason"), widget=forms.TextInput(attrs={"size": 40}))


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
        model_admin.message_user(request, _("Give a reason; it is kept in the audit log."), messages.ERROR)
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


class CurrencyFilter(admin.SimpleListFilter):
    """The currencies the product sells in, without reading every row for the distinct values."""

    title = _("currency")
    parameter_name = "currency"

    def lookups(self, request, model_admin):
        return CURRENCIES

    def queryset(self, request, queryset):
        return queryset.filter(currency=self.value()) if self.value() else queryset


class IndexedSearchAdmin(admin.ModelAdmin):
    """Search a big table without joining it to every table its search fields name.

    Django's search ORs every field over one join of all their tables, so finding a booking by
    an e-mail address reads all bookings. Here a field on a related row is looked up in that
    row's own table first (`mentee__in=<the ids of users with that address>`), which the
    indexes answer, and a field the term cannot be (a word is no booking id) is left out.
    The search_fields syntax is Django's: "=" exact (case-insensitive), "^" starts with,
    "__exact" exact, otherwise contains; forward relations only.
    """

    def get_search_results(self, request, queryset, search_term):
        for bit in smart_split(search_term):
            if bit[:1] in "\"'" and bit[0] == bit[-1]:
                bit = unescape_string_literal(bit)
            matches = [q for q in (self._match(field, bit) for field in self.get_search_fields(request)) if q]
            queryset = queryset.filter(reduce(operator.or_, matches, Q(pk__in=[])))
        return queryset, False

    def _match(self, search_field: str, term: str) -> Q | None:
        lookup = {"=": "iexact", "^": "istartswith"}.get(search_field[:1], "icontains")
        path = search_field.lstrip("=^").split(LOOKUP_SEP)
        if path[-1] == "exact":
            lookup, path = "exact", path[:-1]
        model, fields = self.model, []
        for name in path:
            fields.append(model._meta.get_field(name))
            model = fields[-1].related_model or model
        if not isinstance(fields[-1], models.CharField | models.TextField):
            try:
                term, lookup = fields[-1].to_python(term), "exact"
            except ValidationError:
                return None
        first = fields[0]
        if len(fields) == 1:
            return Q(**{LOOKUP_SEP.join([*path, lookup]): term})
        # Only forward relations: a search never multiplies the rows (one booking, one mentee).
        assert first.concrete and (first.many_to_one or first.one_to_one), search_field
        inner = first.related_model._default_manager.filter(**{LOOKUP_SEP.join([*path[1:], lookup]): term})
        if lookup in ("exact", "iexact"):
            # A handful of ids (one person's rows): the big table is then read through its own
            # indexes, and the planner knows how few rows to expect.
            ids = list(inner.order_by().values_list("pk", flat=True))
            return Q(**{f"{path[0]}__in": ids}) if ids else None
        return Q(**{f"{path[0]}__in": inner})


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    """The platform's exchange rates: refreshed by a worker when EXCHANGE_RATES_URL is set, and
    kept by staff here otherwise (a rate entered for a later day than the source's stands)."""

    list_display = ["currency", "base", "rate", "as_of", "source", "updated_at"]
    list_filter = ["base"]
    search_fields = ["=currency"]
    fields = ["currency", "base", "rate", "as_of", "source"]
    readonly_fields = ["source"]

    def save_model(self, request, obj, form, change):
        obj.source = f"staff: {request.user.email}"[:200]
        super().save_model(request, obj, form, change)
