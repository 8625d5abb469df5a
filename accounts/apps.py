from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        _sign_in_services_in_the_admin()


def _sign_in_services_in_the_admin() -> None:
    """allauth registers SocialApp, SocialToken and SocialAccount in the admin. The providers are
    configured in settings only (a SocialApp row would configure nothing: SocialAccountAdapter
    ignores them) and no token is kept, so only the connections stay, read-only. The admin has
    imported every app's admin module by now (its own ready() runs first)."""
    from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
    from django.contrib import admin

    from .admin import SignInServiceAdmin

    for model in (SocialApp, SocialToken, SocialAccount):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
    admin.site.register(SocialAccount, SignInServiceAdmin)
