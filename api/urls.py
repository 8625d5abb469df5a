"""/api/v1/: the operations, the OpenAPI document and its page, and a JSON answer for any other
address or method under it (never the site's HTML 404 or Django's bare 405)."""

from functools import wraps

from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from . import views
from .api import api
from .errors import NO_SUCH_PAGE, NOT_ALLOWED, error_body

PREFIX = "api/v1/"


def _json_405(view):
    """ninja answers a method a path does not take with a bare text 405: the one shape instead,
    keeping its Allow header."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            body = error_body(
                "method_not_allowed", NOT_ALLOWED % {"method": request.method, "allowed": allowed}
            )
            response = api.create_response(request, body, status=405)
            response["Allow"] = allowed
        return response

    return wrapped


def _patterns():
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if pattern.name in ("openapi-json", "openapi-view"):  # ninja's answer any method alike
            pattern.callback = require_GET(pattern.callback)
        pattern.callback = _json_405(pattern.callback)
    return patterns, app_name, namespace


@csrf_exempt  # a POST to no operation is a 404 too, not the CSRF page: the API takes no cookies
def not_found(request, rest=""):
    body = error_body("not_found", NO_SUCH_PAGE % {"url": request.build_absolute_uri(f"/{PREFIX}docs")})
    return api.create_response(request, body, status=404)


urlpatterns = [
    path(PREFIX, _patterns()),
    re_path(r"^api/(?P<rest>[\s\S]*)\Z", not_found, name="api_not_found"),
]

# Under /settings/, in the "accounts" namespace (config/urls.py): a person's tokens.
settings_urlpatterns = [
    path("api/", views.tokens, name="api_tokens"),
    path("api/<int:token_id>/revoke/", views.revoke, name="api_token_revoke"),
]
