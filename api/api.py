"""The open API, version 1: django-ninja builds its routes and its OpenAPI document from the
typed functions of api/public.py and api/bookings.py. Every refusal, whichever layer makes it
(ninja's validation, authentication, a product rule's DomainError, a missing row), answers in the
one shape of api/errors.py."""

import logging

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from core.errors import DomainError

from . import bookings, public
from .errors import BAD_TOKEN, INVALID, NOT_JSON, SERVER_ERROR, ApiError, error_body, field_message

logger = logging.getLogger("django.request")

DESCRIPTION = _(
    "Read TheMentors' mentors, offerings, free slots and cohorts, and book, cancel and reschedule "
    "your own sessions. Public reads need no token; your bookings need a personal API token, made "
    "in Settings → API tokens and sent as `Authorization: Bearer <token>`. Every error has one "
    'shape: `{"error": {"code", "message", "fields"}}`.'
)


class TheMentorsAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        """Each operation named after its function (listMentors reads worse than mentors)."""
        return operation.view_func.__name__

    def validation_error_from_error_contexts(self, error_contexts):
        """ninja drops what was sent from each error; `field_message` needs it, as a form's
        message names the value refused and the length it had."""
        error = super().validation_error_from_error_contexts(error_contexts)
        sent = [
            each.get("input")
            for context in error_contexts
            for each in context.pydantic_validation_error.errors(include_url=False)
        ]
        for each, given in zip(error.errors, sent, strict=True):
            each["input"] = given
        return error


api = TheMentorsAPI(
    title="TheMentors API",
    version="1",
    description=str(DESCRIPTION),
    urls_namespace="api",
    docs=Swagger(settings={"validatorUrl": None, "defaultModelsExpandDepth": 0}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("", public.router)
api.add_router("", bookings.router)


def _answer(request, status: int, body: dict, headers: dict | None = None):
    response = api.create_response(request, body, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


@api.exception_handler(ApiError)
def api_error(request, exc: ApiError):
    return _answer(request, exc.status, error_body(exc.code, exc.message, exc.fields), exc.headers)


@api.exception_handler(DomainError)
def refused(request, exc: DomainError):
    """A rule of the product said no: the message the page shows, next to its field if any."""
    fields = {exc.field: [exc.message]} if exc.field else {}
    return _answer(request, 409, error_body("refused", exc.message, fields))


@api.exception_handler(ValidationError)
def invalid(request, exc: ValidationError):
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [
            str(part) for part in error.get("loc", ()) if part not in ("query", "body", "path", "payload")
        ]
        fields.setdefault(".".join(location) or "body", []).append(field_message(error))
    return _answer(request, 422, error_body("invalid", INVALID, fields))


@api.exception_handler(AuthenticationError)
def not_authenticated(request, exc):
    return _answer(request, 401, error_body("not_authenticated", BAD_TOKEN))


@api.exception_handler(Http404)
def not_found(request, exc):
    return _answer(request, 404, error_body("not_found", _("Not found.")))


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    # ninja raises one 400 itself, in English: a body it could not read as JSON.
    message = NOT_JSON if exc.status_code == 400 else str(exc)
    return _answer(request, exc.status_code, error_body("bad_request", message))


@api.exception_handler(Exception)
def server_error(request, exc):
    """A bug: logged with its traceback (and sent to Sentry), answered in the one shape."""
    logger.error("API error on %s %s", request.method, request.path, exc_info=exc, extra={"request": request})
    return _answer(request, 500, error_body("server_error", SERVER_ERROR))
