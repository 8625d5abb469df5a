from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from . import security

        def on_signed_in(sender, request, user, **kwargs):
            if request is not None:
                security.signed_in(request=request, user=user)

        def on_sign_in_failed(sender, credentials, request=None, **kwargs):
            security.sign_in_failed(request=request, email=str(credentials.get("email") or ""))

        user_logged_in.connect(on_signed_in, dispatch_uid="accounts.signed_in", weak=False)
        user_login_failed.connect(on_sign_in_failed, dispatch_uid="accounts.sign_in_failed", weak=False)

        # allauth registers SocialApp, SocialToken and SocialAccount in the admin. The sign-in
        # providers are configured in settings only (a SocialApp row configures nothing:
        # SocialAccountAdapter ignores them) and no token is kept, so only the connections stay,
        # read-only. The admin has imported every app's admin module by now (its ready() runs first).
        from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
        from django.contrib import admin

        from .admin import SignInServiceAdmin

        for model in (SocialApp, SocialToken, SocialAccount):
            if admin.site.is_registered(model):
                admin.site.unregister(model)
        admin.site.register(SocialAccount, SignInServiceAdmin)
