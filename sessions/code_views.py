"""The booking form's promotion code: what it takes off, before booking (billing answers)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.errors import DomainError

from . import hooks, services
from .views import _offering_or_404


@login_required
def offering_code(request, slug):
    """The booking form's "Apply" (htmx): what the code typed takes off this mentee's price."""
    offering = _offering_or_404(slug)
    code = request.GET.get("code", "")[:64]
    price = services.member_price(offering=offering, mentee=request.user)
    context = {"offering": offering, "code": code, "quote": None, "code_error": ""}
    if not code.strip():
        context["code_error"] = _("Type a code first.")
    else:
        try:
            context["quote"] = hooks.quote_code.first(
                offering=offering, mentee=request.user, code=code, price=price
            )
        except DomainError as error:
            context["code_error"] = error.message
        if context["quote"] is None and not context["code_error"]:
            context["code_error"] = _("Promotion codes are not available here.")
    template = "sessions/_code_quote.html"
    return render(request, template, context, status=200 if context["quote"] else 400)
