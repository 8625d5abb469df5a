"""Promotion codes in the admin: staff make platform-wide codes (good with every mentor) and
switch any code off; each use of a code is read-only (the services hold, redeem and free it)."""

from django import forms
from django.contrib import admin, messages

from core.admin import CurrencyFilter, HistoryAdmin, IndexedSearchAdmin

from .codes_models import CodeRedemption, PromotionCode
from .purchases import kinds_taking_codes
from .services import codes


class StaffCodeForm(forms.ModelForm):
    """A platform-wide code, checked with the same words the mentors' page uses."""

    code = forms.RegexField(
        regex=r"^[A-Za-z0-9][A-Za-z0-9_-]{2,31}$",
        error_messages={"invalid": "3 to 32 letters, digits, - or _ (starting with a letter or digit)."},
    )
    applies_to = forms.ChoiceField(required=False)

    class Meta:
        model = PromotionCode
        fields = [
            "code",
            "percent_off",
            "amount_off",
            "currency",
            "applies_to",
            "expires_at",
            "max_uses",
            "first_purchase_only",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "applies_to" in self.fields:
            self.fields["applies_to"].choices = [("", "Everything that takes codes")] + [
                (kind.name, kind.code_label) for kind in kinds_taking_codes()
            ]

    def clean_code(self):
        return codes.normalise(self.cleaned_data["code"])

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            return data
        percent, amount = data.get("percent_off"), data.get("amount_off")
        if (percent is None) == (amount is None):
            self.add_error("percent_off", "Give either a percentage or an amount off (minor units).")
        elif amount is not None and not data.get("currency"):
            self.add_error("currency", "An amount off needs its currency.")
        elif percent is not None:
            data["currency"] = ""
        return data


class CodeUseFilter(admin.SimpleListFilter):
    title = "whose"
    parameter_name = "whose"

    def lookups(self, request, model_admin):
        return [("platform", "Platform-wide (staff)"), ("mentor", "Mentors'")]

    def queryset(self, request, queryset):
        if self.value() == "platform":
            return queryset.filter(mentor__isnull=True)
        if self.value() == "mentor":
            return queryset.filter(mentor__isnull=False)
        return queryset


@admin.register(PromotionCode)
class PromotionCodeAdmin(IndexedSearchAdmin, HistoryAdmin):
    form = StaffCodeForm
    list_display = [
        "code",
        "mentor",
        "off_display",
        "applies_to",
        "expires_at",
        "max_uses",
        "is_active",
        "created_at",
    ]
    list_filter = [CodeUseFilter, "is_active", "first_purchase_only"]
    search_fields = ["code", "mentor__slug", "mentor__user__email"]
    list_select_related = ["mentor__user"]
    date_hierarchy = "created_at"
    actions = ["switch_off"]

    def has_delete_permission(self, request, obj=None):
        return False  # its uses point at it; switch it off instead

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["mentor", "created_by", "created_at"]
        # What a code takes off is fixed once made (uses were priced with it).
        return [
            "code",
            "mentor",
            "percent_off",
            "amount_off",
            "currency",
            "applies_to",
            "created_by",
            "created_at",
        ]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            obj.mentor = None  # made here: platform-wide
        super().save_model(request, obj, form, change)

    @admin.action(description="Switch off the selected codes")
    def switch_off(self, request, queryset):
        for code in queryset.select_related("mentor"):
            codes.code_deactivate(code=code, by=request.user)
        self.message_user(request, f"{queryset.count()} code(s) switched off.", messages.SUCCESS)


@admin.register(CodeRedemption)
class CodeRedemptionAdmin(IndexedSearchAdmin, HistoryAdmin):
    """Each use of a code: held while paying, redeemed by the payment's webhook, or given back."""

    list_display = [
        "code",
        "buyer",
        "kind",
        "purchase_id",
        "list_price_display",
        "discount_display",
        "state",
        "created_at",
    ]
    list_filter = ["state", "kind", CurrencyFilter]
    search_fields = ["code__code", "buyer__email", "=purchase_id", "stripe_coupon_id"]
    list_select_related = ["code", "buyer"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]
