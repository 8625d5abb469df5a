"""Routes in front of allauth's own, with the same paths and names (config/urls.py).

- The OpenID Connect views (LinkedIn), with a provider that cannot be reached answering as any
  failed sign-in does (socialaccount/authentication_error.html), not with a 500: allauth reads
  LinkedIn's discovery document before it redirects and before it exchanges the code, outside its
  own error handling.
- Google's One Tap endpoint, which no page of ours uses, answers 404: it is exempt from our CSRF
  check (it has its own cookie), and a sign-in door nobody uses is best shut."""

import functools
import logging

import requests
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.providers.openid_connect import views as oidc
from django.http import Http404
from django.urls import path

log = logging.getLogger(__name__)


def _unreachable_is_a_failed_sign_in(view):
    @functools.wraps(view)
    def wrapped(request, provider_id):
        try:
            return view(request, provider_id)
        except requests.RequestException as error:
            log.warning("sign-in provider %s unreachable: %s", provider_id, type(error).__name__)
            provider = get_adapter(request).get_provider(request, provider_id)
            return render_authentication_error(request, provider, exception=error)

    return wrapped


def not_offered(request):
    raise Http404("Not offered.")


urlpatterns = [
    path("google/login/token/", not_offered, name="google_login_by_token"),
    path(
        "oidc/<str:provider_id>/login/",
        _unreachable_is_a_failed_sign_in(oidc.login),
        name="openid_connect_login",
    ),
    path(
        "oidc/<str:provider_id>/login/callback/",
        _unreachable_is_a_failed_sign_in(oidc.callback),
        name="openid_connect_callback",
    ),
]
