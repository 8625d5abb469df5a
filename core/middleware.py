from django.http import HttpResponseBadRequest

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
    "This request contains a NUL character (\\x00), which no text here may hold. "
    "Remove it and send the form again."
)


class RefuseNulMiddleware:
    """Answer 400 to a request whose path, query string or form data holds a NUL character.

    No text here may hold one (PostgreSQL refuses it in any text column or query parameter, and
    nobody types it), so refusing it once here keeps a raw value that a view passes to a query
    (a slug in a form, a token in a path) from becoming a database error. Django's form fields
    already refuse NUL; this also covers the values views read directly. The form data is read
    only where CsrfViewMiddleware reads it too: a csrf-exempt view (the Stripe webhooks) reads
    its raw body itself, which reading the form first would consume."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        form = not getattr(view_func, "csrf_exempt", False)
        if holds_nul(request, form=form):
            return HttpResponseBadRequest(NUL_REFUSED, content_type="text/plain; charset=utf-8")
        return None


def holds_nul(request, *, form: bool = True) -> bool:
    if NUL in request.path:
        return True
    for data in (request.GET, request.POST) if form else (request.GET,):
        for key, values in data.lists():
            if NUL in key or any(NUL in value for value in values):
                return True
    return False
