"""The one JSON shape of every refusal the API gives, and the exceptions that carry it.

    {"error": {"code": "refused", "message": "That slot was just taken. …", "fields": {"starts_at": ["…"]}}}

`message` is the sentence the pages show for the same refusal (a service's DomainError carries
it); `fields` names the input each message is about, and is empty when none is."""

from __future__ import annotations

from django import forms
from django.core import validators
from django.utils.translation import gettext_lazy as _
from ninja import Schema


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class ErrorOut(Schema):
    error: ErrorBody


def error_body(code: str, message, fields: dict | None = None) -> dict:
    return {
        "error": {
            "code": code,
            "message": str(message),
            "fields": {name: [str(m) for m in messages] for name, messages in (fields or {}).items()},
        }
    }


class ApiError(Exception):
    """A refusal of the API itself (not of a product rule): its HTTP status, code and message."""

    status = 400
    code = "bad_request"

    def __init__(self, message, *, fields: dict | None = None, headers: dict | None = None):
        super().__init__(str(message))
        self.message = message
        self.fields = fields or {}
        self.headers = headers or {}


class NotAuthenticated(ApiError):
    status, code = 401, "not_authenticated"


class ScopeTooNarrow(ApiError):
    status, code = 403, "forbidden"


class NotFound(ApiError):
    status, code = 404, "not_found"


class Invalid(ApiError):
    status, code = 422, "invalid"


class PayOnSite(ApiError):
    status, code = 402, "payment_on_site"


class TooMany(ApiError):
    status, code = 429, "rate_limited"


NO_TOKEN = _(
    "This needs a personal API token: send it as “Authorization: Bearer <token>”. "
    "Make one in your settings, under API tokens."
)
BAD_TOKEN = _("This API token is not valid: it is mistyped, or it was revoked.")
READ_ONLY = _("This token may only read. Make a token that may book to book, cancel or reschedule sessions.")
TOO_MANY = _("Too many requests in a short time. Please wait %(seconds)d seconds and try again.")
INVALID = _("Some of what was sent is not valid: see the fields.")
NO_SUCH_PAGE = _("There is nothing at this address of the API. The list of operations is at %(url)s.")
NOT_ALLOWED = _("This address does not take %(method)s. It takes: %(allowed)s.")
CARD_ON_SITE = _(
    "This session is paid by card, which the API does not take: book it on the site at %(url)s. "
    "The API books free sessions and sessions paid with a subscription credit or a pack."
)
SERVER_ERROR = _("Something went wrong on our side. Please try again in a moment.")
NOT_JSON = _("The body is not valid JSON.")


def field_message(error: dict) -> str:
    """What a form on the site would say about the input pydantic refused (Django's own messages,
    so they come in the reader's language), rather than pydantic's English."""
    kind, context, given = error.get("type", ""), error.get("ctx") or {}, error.get("input")
    if kind == "value_error":  # our own validators' messages, already in the reader's language
        return str(context.get("error", error.get("msg", "")))
    if kind == "missing":
        return str(forms.Field.default_error_messages["required"])
    if kind.startswith("int_"):
        return str(forms.IntegerField.default_error_messages["invalid"])
    if kind.startswith("float_") or kind.startswith("decimal_"):
        return str(forms.FloatField.default_error_messages["invalid"])
    if kind.startswith("datetime_"):
        return str(forms.DateTimeField.default_error_messages["invalid"])
    if kind.startswith("date_"):
        return str(forms.DateField.default_error_messages["invalid"])
    if kind == "greater_than_equal":
        return str(validators.MinValueValidator(context["ge"]).message) % {"limit_value": context["ge"]}
    if kind == "less_than_equal":
        return str(validators.MaxValueValidator(context["le"]).message) % {"limit_value": context["le"]}
    if kind in ("string_too_long", "string_too_short"):
        limit = context.get("max_length", context.get("min_length"))
        check = validators.MaxLengthValidator if kind == "string_too_long" else validators.MinLengthValidator
        length = len(given) if isinstance(given, str) else 0
        return check(limit).message % {"limit_value": limit, "show_value": length}
    if kind in ("literal_error", "enum"):
        return str(forms.ChoiceField.default_error_messages["invalid_choice"]) % {"value": given}
    return str(validators.RegexValidator.message)  # "Enter a valid value."
