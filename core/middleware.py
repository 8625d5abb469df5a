from django.http import HttpResponseBadRequest, JsonResponse

from core.logging import new_request_id, request_id


class RequestIdMiddleware:
    """Give every request an id (the proxy's X-Request-ID when it sends a plain one), put it on
    every log line written while serving it and on the tasks it queues, and answer with it.

    The id stays set until the response is closed (core.apps forgets it then): Django logs the
    response's status ("Not Found", "Internal Server Error") after the middleware returned."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = new_request_id(request.headers.get("X-Request-ID"))
        request_id.set(request.id)
        response = self.get_response(request)
        response["X-Request-ID"] = request.id
        return response


class PermissionsPolicyMiddleware:
    """Turn off browser features the site never uses (camera, microphone, geolocation…), so a
    script that got in somehow cannot ask for them; the policy is settings.PERMISSIONS_POLICY."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.policy = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.policy)
        return response


NUL = "\x00"
NUL_REFUSED = (
    "This address contains a NUL character (\\x00), which no text here may hold. Remove it and try again."
)

API_PATH = "/api/"


class RefuseNulMiddleware:
    """Answer 400 to a request whose path or query string holds a NUL character, and read a cookie
    whose value holds one as empty.

    PostgreSQL refuses NUL in any text column or query parameter and nobody types one, so a
    token in a path or a filter in a query string that a view hands to a query would otherwise be
    a database error. Form data is left to the forms: Django's form fields refuse NUL with a
    message next to the field.

    Cookies reach the database too: the session cookie's value is the key SessionMiddleware looks
    up, and a browser can send a NUL in a quoted cookie (`"…\\000"`, which Django unquotes). A
    cookie with a NUL was never one of ours, so it counts as empty rather than refused: a broken
    session cookie is a signed-out visit (SessionMiddleware then tells the browser to delete it),
    a broken CSRF cookie is replaced like any malformed one, and the page works, where a 400
    would come back on every page until the visitor found how to clear their cookies. So this
    runs before SessionMiddleware; a cookie whose name holds a NUL is dropped."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path or any(
            NUL in key or any(NUL in value for value in values) for key, values in request.GET.lists()
        ):
            if request.path.startswith(API_PATH):  # in the open API's one error shape (api/errors.py)
                body = {"error": {"code": "bad_request", "message": NUL_REFUSED, "fields": {}}}
                return JsonResponse(body, status=400)
            return HttpResponseBadRequest(NUL_REFUSED, content_type="text/plain; charset=utf-8")
        cookies = request.COOKIES
        if any(NUL in name or NUL in value for name, value in cookies.items()):
            request.COOKIES = {
                name: "" if NUL in value else value for name, value in cookies.items() if NUL not in name
            }
        return self.get_response(request)
