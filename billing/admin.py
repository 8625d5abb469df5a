from django import forms
from django.contrib import admin, messages
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin import CurrencyFilter, DecisionForm, HistoryAdmin, IndexedSearchAdmin, act_on_each
from core.errors import DomainError

from . import services
from .models import BillingCustomer, ConnectedAccount, Payment, Refund, Transfer, UpgradeOffer, WebhookEvent
from .stripe_client import BillingError


class ReadOnlyMoneyAdmin(admin.ModelAdmin):
    """Money rows are written by services only; staff read them and act through actions."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    can_delete = False
    fields = readonly_fields = [
        "amount",
        "currency",
        "reason",
        "state",
        "stripe_refund_id",
        "made_in_stripe",
        "requested_by",
        "created_at",
    ]

    def has_add_permission(self, request, obj=None):
        return False


class RefundForm(forms.Form):
    amount = forms.IntegerField(
        required=False, min_value=1, help_text=_("Minor units (cents). Empty: everything still refundable.")
    )
    reason = forms.CharField(max_length=300)


class AmountMismatchFilter(admin.SimpleListFilter):
    """Payments refused because Stripe took another amount or currency than we asked for."""

    title = _("amount mismatch")
    parameter_name = "mismatch"

    def lookups(self, request, model_admin):
        return [("to_review", _("Not looked into yet")), ("all", _("All refused for their amount"))]

    def queryset(self, request, queryset):
        if self.value() == "to_review":
            return queryset.filter(amount_mismatch=True, mismatch_reviewed_at__isnull=True)
        if self.value() == "all":
            return queryset.filter(amount_mismatch=True)
        return queryset


@admin.register(Payment)
class PaymentAdmin(IndexedSearchAdmin, HistoryAdmin, ReadOnlyMoneyAdmin):
    list_display = [
        "booking",
        "enrollment",
        "subscription",
        "pack_purchase",
        "question",
        "amount_display",
        "state",
        "provider",
        "amount_refunded",
        "is_disputed",
        "amount_mismatch",
        "created_at",
    ]
    list_filter = ["state", "provider", "is_disputed", AmountMismatchFilter, CurrencyFilter]
    # Whole ids and e-mail addresses: a substring search would read every payment.
    search_fields = [
        "=booking__id",
        "=enrollment__id",
        "=subscription__id",
        "=question__id",
        "=booking__mentee__email",
        "=booking__mentor__user__email",
        "=enrollment__member__email",
        "=subscription__mentee__email",
        "=pack_purchase__id",
        "=pack_purchase__mentee__email",
        "=question__mentee__email",
        "checkout_session_id__exact",
        "payment_intent_id__exact",
        "charge_id__exact",
    ]
    list_select_related = [
        "booking__offering",
        "enrollment__cohort",
        "enrollment__member",
        "subscription__plan",
        "subscription__mentee",
        "pack_purchase__offering",
        "pack_purchase__mentee",
        "question__mentor__user",
    ]
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [RefundInline]
    action_form = DecisionForm
    actions = ["refund", "mismatch_reviewed"]

    def has_refund_permission(self, request) -> bool:
        """Moderators see payments and may refund up to MODERATOR_REFUND_LIMIT (the service
        checks the amount); superusers any amount."""
        return self.has_view_permission(request)

    def has_review_permission(self, request) -> bool:
        """Payments refused for their amount wait in the moderation queue: moderators clear them."""
        return self.has_view_permission(request)

    @admin.action(
        description=_("Mark the amount mismatch as looked into — needs a reason"), permissions=["review"]
    )
    def mismatch_reviewed(self, request, queryset):
        act_on_each(
            self,
            request,
            queryset.filter(amount_mismatch=True, mismatch_reviewed_at__isnull=True),
            lambda payment, reason: services.payment_mismatch_reviewed(
                payment=payment, by=request.user, reason=reason
            ),
            done=_("{} payment(s) marked as looked into."),
            errors=(BillingError,),
        )

    @admin.action(description=_("Refund (full or partial, with a reason)"), permissions=["refund"])
    def refund(self, request, queryset):
        if "apply" in request.POST:
            form = RefundForm(request.POST)
            if form.is_valid():
                for payment in queryset:
                    try:
                        services.payment_refund(
                            payment=payment,
                            amount=form.cleaned_data["amount"],
                            reason=form.cleaned_data["reason"],
                            by=request.user,
                        )
                    except DomainError as error:
                        self.message_user(request, f"{payment}: {error.message}", messages.ERROR)
                    else:
                        self.message_user(
                            request,
                            _("%(payment)s: refund requested.") % {"payment": payment},
                            messages.SUCCESS,
                        )
                return None
        else:
            form = RefundForm()
        return render(
            request,
            "admin/billing/refund.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "payments": queryset,
                "title": _("Refund payments"),
            },
        )


@admin.register(Refund)
class RefundAdmin(IndexedSearchAdmin, HistoryAdmin, ReadOnlyMoneyAdmin):
    list_display = [
        "payment",
        "amount",
        "currency",
        "state",
        "reason",
        "made_in_stripe",
        "requested_by",
        "created_at",
    ]
    list_filter = ["state", "made_in_stripe", CurrencyFilter]
    search_fields = [
        "stripe_refund_id__exact",
        "=payment__booking__id",
        "=payment__enrollment__id",
        "=payment__booking__mentee__email",
        "=payment__booking__mentor__user__email",
        "=payment__enrollment__member__email",
        "payment__payment_intent_id__exact",
    ]
    list_select_related = ["payment", "requested_by"]
    show_full_result_count = False
    actions = ["retry"]

    @admin.action(description=_("Retry failed refunds (not those made in Stripe)"), permissions=["change"])
    def retry(self, request, queryset):
        for refund in queryset.exclude(state=Refund.State.SUCCEEDED).exclude(made_in_stripe=True):
            services.refund_execute(refund_id=refund.pk)
        self.message_user(request, _("Retried."))


@admin.register(Transfer)
class TransferAdmin(IndexedSearchAdmin, HistoryAdmin, ReadOnlyMoneyAdmin):
    list_display = ["payment", "amount", "currency", "destination", "state", "reversed", "created_at"]
    list_filter = ["state", "reversed"]
    search_fields = [
        "stripe_transfer_id__exact",
        "destination__exact",
        "=payment__booking__id",
        "=payment__booking__mentee__email",
        "=payment__booking__mentor__user__email",
        "=payment__enrollment__cohort__facilitator__user__email",
    ]
    list_select_related = ["payment"]
    show_full_result_count = False


@admin.register(ConnectedAccount)
class ConnectedAccountAdmin(HistoryAdmin, ReadOnlyMoneyAdmin):
    list_display = [
        "mentor",
        "stripe_account_id",
        "charges_enabled",
        "payouts_enabled",
        "details_submitted",
        "updated_at",
    ]
    list_filter = ["payouts_enabled", "details_submitted"]
    search_fields = ["stripe_account_id", "mentor__user__email", "mentor__slug"]
    list_select_related = ["mentor__user"]


@admin.register(BillingCustomer)
class BillingCustomerAdmin(ReadOnlyMoneyAdmin):
    list_display = ["user", "stripe_customer_id", "created_at"]
    search_fields = ["stripe_customer_id", "user__email"]
    list_select_related = ["user"]


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyMoneyAdmin):
    list_display = ["stripe_event_id", "type", "endpoint", "state", "attempts", "received_at", "processed_at"]
    list_filter = ["state", "endpoint", "type"]
    # The object's Stripe id and our booking id live in the payload (checkout sessions, charges, …).
    search_fields = [
        "stripe_event_id",
        "type",
        "last_error",
        "payload__data__object__id",
        "payload__data__object__payment_intent",
        "payload__data__object__metadata__booking_id",
        "payload__data__object__client_reference_id",
    ]
    show_full_result_count = False
    actions = ["reprocess"]

    @admin.action(description=_("Reprocess the selected events"), permissions=["change"])
    def reprocess(self, request, queryset):
        for event in queryset.exclude(state=WebhookEvent.State.PROCESSED):
            event = services.event_reprocess(event=event)
            level = messages.SUCCESS if event.state == WebhookEvent.State.PROCESSED else messages.ERROR
            self.message_user(request, f"{event}: {event.get_state_display()}", level)


class UpgradeOfferStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("live", _("Live")), ("used", _("Used")), ("expired", _("Expired unused"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "live":
            return queryset.filter(redeemed_at__isnull=True, expires_at__gt=now)
        if self.value() == "used":
            return queryset.filter(redeemed_at__isnull=False)
        if self.value() == "expired":
            return queryset.filter(redeemed_at__isnull=True, expires_at__lte=now)
        return queryset


@admin.register(UpgradeOffer)
class UpgradeOfferAdmin(IndexedSearchAdmin, HistoryAdmin, ReadOnlyMoneyAdmin):
    """Ladder-up credits: read-only; the services spend and give them back."""

    list_display = [
        "mentee",
        "mentor",
        "amount_display",
        "expires_at",
        "redeemed_at",
        "enrollment",
        "subscription",
        "created_at",
    ]
    list_filter = [UpgradeOfferStateFilter, CurrencyFilter]
    search_fields = ["mentee__email", "mentor__user__email", "mentor__slug", "stripe_coupon_id"]
    list_select_related = [
        "mentee",
        "mentor__user",
        "enrollment__cohort",
        "enrollment__member",
        "subscription__plan",
        "subscription__mentee",
    ]
    date_hierarchy = "created_at"


from . import code_admin  # noqa: E402,F401  (promotion codes: their own module)
