from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        """allauth registers SocialApp, SocialToken and SocialAccount in the admin. The sign-in
        providers are configured in settings only (a SocialApp row configures nothing:
        SocialAccountAdapter ignores them) and no token is kept, so only the connections stay,
        read-only. The admin has imported every app's admin module by now (its ready() runs first)."""
        from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
        from django.contrib import admin

        from .admin import SignInServiceAdmin

        for model in (SocialApp, SocialToken, SocialAccount):
            if admin.site.is_registered(model):
                admin.site.unregister(model)
        admin.site.register(SocialAccount, SignInServiceAdmin)
