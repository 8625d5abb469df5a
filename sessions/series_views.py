"""Weekly recurring 1:1s: the preview of the dates (which are not free), booking the kept ones in
one step, and cancelling a series from an occurrence onwards (services/series.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from core.errors import DomainError
from core.forms import show_error
from core.money import format_money
from core.ratelimit import limit_posts, refused_as_too_many

from . import hooks, services
from .confirmation import confirmation_url
from .models import Booking
from .series_forms import SeriesForm
from .views import _offering_or_404, _picker, _price, booking_or_404


def _form_again(request, offering, form, *, status: int = 400):
    """The offering's picker and booking form again, with the form's errors next to its fields."""
    chosen = form.cleaned_data.get("starts_at") if hasattr(form, "cleaned_data") else None
    zone = request.viewer_zone
    request.GET = request.GET.copy()
    if chosen:
        request.GET["day"] = chosen.astimezone(zone).date().isoformat()
    price = _price(request, offering)
    context = {
        "offering": offering,
        **price,
        **_picker(request, offering=offering, zone=zone, paid=not price["price_is_free"]),
        "form": form,
        "chosen": chosen,
    }
    template = "sessions/offering.html#panel" if request.htmx else "sessions/offering.html"
    return render(request, template, context, status=status)


def _preview_page(request, offering, form, *, error: str = "", status: int = 200):
    data = form.cleaned_data
    occurrences = services.series_preview(offering=offering, first=data["starts_at"], weeks=data["weeks"])
    free = [o for o in occurrences if o.free]
    price = _price(request, offering)
    use_pack = data.get("use_pack") and price["pack_purchase"]
    use_credit = data.get("use_credit") and price["credit_subscription"] and not use_pack
    unit = services.member_price(offering=offering, mentee=request.user)
    context = {
        "offering": offering,
        "form": form,
        "occurrences": occurrences,
        "free_count": len(free),
        "taken_count": len(occurrences) - len(free),
        "use_pack": bool(use_pack),
        "use_credit": bool(use_credit),
        "unit_price": format_money(unit, offering.currency),
        "total_price": format_money(unit * len(free), offering.currency),
        "is_free": unit == 0,
        "error": error,
        "first_day": data["starts_at"].astimezone(request.viewer_zone).date(),
        **{k: price[k] for k in ("pack_sessions_left", "credits_left")},
    }
    template = "sessions/series_preview.html#panel" if request.htmx else "sessions/series_preview.html"
    return render(request, template, context, status=status)


@login_required
@require_POST
@limit_posts("booking", per_user="RATELIMIT_BOOKING_PER_USER", per_ip="RATELIMIT_BOOKING_PER_IP")
def series_preview(request, slug):
    """Step one: every weekly date in the mentee's zone, those not free marked."""
    offering = _offering_or_404(slug)
    form = SeriesForm(request.POST, offering=offering)
    if refused_as_too_many(request, form):
        return _form_again(request, offering, form, status=429)
    if form.is_valid():
        if offering.is_intro:
            show_error(form, services.BookingError(services.series.NO_INTRO_SERIES, field="weeks"))
        elif form.cleaned_data["code"].strip():
            show_error(form, services.BookingError(services.series.NO_CODE_SERIES, field="code"))
        else:
            return _preview_page(request, offering, form)
    return _form_again(request, offering, form)


@login_required
@require_POST
@limit_posts("booking", per_user="RATELIMIT_BOOKING_PER_USER", per_ip="RATELIMIT_BOOKING_PER_IP")
def series_book(request, slug):
    """Step two: book the dates kept, all or nothing, then pay once (or spend a credit each)."""
    offering = _offering_or_404(slug)
    form = SeriesForm(request.POST, offering=offering, with_dates=True)
    if refused_as_too_many(request, form):
        return _form_again(request, offering, form, status=429)
    if not form.is_valid():
        if (
            not form.has_error("starts_at")
            and not form.has_error("weeks")
            and "starts_at" in form.cleaned_data
        ):
            return _preview_page(request, offering, form, error=" ".join(form.non_field_errors()), status=400)
        return _form_again(request, offering, form)
    data = form.cleaned_data
    try:
        series = services.series_create(
            offering=offering,
            mentee=request.user,
            request=services.BookingRequest(starts_at=data["starts_at"], **form.prework()),
            weeks=data["weeks"],
            dates=data["dates"],
            use_credit=data["use_credit"],
            use_pack=data["use_pack"],
            code=data["code"],
        )
    except DomainError as error:
        if error.field in ("dates", None):
            return _preview_page(request, offering, form, error=error.message, status=400)
        show_error(form, error)
        return _form_again(request, offering, form)
    first = series.occurrences.order_by("starts_at").first()
    if first.state == Booking.State.HELD:
        messages.info(
            request, _("Your weekly sessions are held for 30 minutes while you pay for them at once.")
        )
        to_payment = hooks.payment_redirect.first(request=request, booking=first)
        if to_payment is not None:
            return to_payment
    url = confirmation_url(first) if first.state == Booking.State.CONFIRMED else first.get_absolute_url()
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@login_required
@require_POST
def series_cancel(request, booking_id):
    """Cancel this occurrence and every later one of its series (the mentee or the mentor)."""
    booking = booking_or_404(request, booking_id)
    try:
        cancelled = services.series_cancel_from(
            booking=booking, by=request.user, reason=request.POST.get("reason", "")[:300]
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        count = len(cancelled)
        messages.success(
            request,
            ngettext(
                "%(count)s weekly session is cancelled; both of you have been e-mailed.",
                "%(count)s weekly sessions are cancelled; both of you have been e-mailed.",
                count,
            )
            % {"count": count},
        )
    return redirect(booking)
