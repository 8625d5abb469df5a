from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import ApiToken
from .services import api_token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Personal API tokens: staff see who has one and revoke a leaked one; nobody sees a token
    (only its fingerprint is stored) and tokens are made by their owners only."""

    list_display = ["name", "user", "prefix", "scope", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["scope", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["=prefix", "=user__email", "name"]
    list_select_related = ["user"]
    readonly_fields = [
        "user",
        "name",
        "scope",
        "prefix",
        "secret_hash",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(token=token, by=request.user)
        messages.success(request, _("Revoked."))
