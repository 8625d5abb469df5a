from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "timezone", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_active", "is_superuser"]
    search_fields = ["email", "display_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["display_name", "timezone"]}),
        (_("E-mails"), {"fields": list(User.EMAIL_PREFERENCES)}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


# allauth registers its own admins for these; ours hide the secrets (an authenticator's `data`)
# and search by e-mail address (our User has no username).
admin.site.unregister(Authenticator)
admin.site.unregister(UserSession)


@admin.register(Authenticator)
class AuthenticatorAdmin(ReadOnlyAdmin):
    """Who has which second factor. A superuser may delete one for a person who lost it (they then
    sign in with their password alone and set up a new one)."""

    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    fields = ["user", "type", "created_at", "last_used_at"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


@admin.register(UserSession)
class UserSessionAdmin(ReadOnlyAdmin):
    list_display = ["user", "ip", "user_agent", "created_at", "last_seen_at"]
    list_select_related = ["user"]
    search_fields = ["user__email", "ip"]
    fields = ["user", "ip", "user_agent", "created_at", "last_seen_at"]


class SignInServiceAdmin(admin.ModelAdmin):
    """Who signs in with Google or LinkedIn: staff look and can remove one (a person who lost their
    Google account), never add or edit one, which would hand someone else's login to an account.
    Registered by AccountsConfig.ready() in place of allauth's admins (accounts/apps.py)."""

    list_display = ["user", "provider", "uid", "date_joined", "last_login"]
    list_filter = ["provider"]
    list_select_related = ["user"]
    search_fields = ["user__email", "uid"]
    readonly_fields = ["user", "provider", "uid", "date_joined", "last_login", "extra_data"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
