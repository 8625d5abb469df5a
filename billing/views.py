import logging
import re

import stripe
from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from core.errors import DomainError
from core.one_click import is_one_click, one_click_url
from mentors.models import MentorProfile
from mentors.selectors import own_mentor_profile
from sessions.confirmation import confirmation_url
from sessions.models import Booking

from . import demo, selectors, services, stripe_client
from .ladder import seat_upgrade_credit
from .models import Payment, WebhookEvent
from .services import codes
from .services.series import series_checkout_total, series_start_checkout

logger = logging.getLogger("billing")


def redirect_to_checkout(request, booking: Booking):
    """Send the mentee to the checkout of a held booking (used by the booking flow); an occurrence
    of a weekly series to the one checkout of all its held occurrences."""
    start = services.payment_start_checkout
    if booking.series_id is not None:
        booking = (
            booking.series.occurrences.filter(state=Booking.State.HELD).order_by("starts_at").first()
            or booking
        )

        def start(*, booking, success_url, cancel_url):
            return series_start_checkout(
                series=booking.series, success_url=success_url, cancel_url=cancel_url
            )

    try:
        payment = start(
            booking=booking,
            success_url=request.build_absolute_uri(reverse("billing:checkout_success", args=[booking.pk]))
            + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=request.build_absolute_uri(
                one_click_url(reverse("billing:checkout_cancel", args=[booking.pk]), user=request.user)
            ),
        )
    except DomainError as error:
        messages.error(request, error.message)
        url = booking.get_absolute_url()
    else:
        url = payment.checkout_url
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _own_booking(request, booking_id) -> Booking:
    booking = (
        Booking.objects.select_related("offering", "mentor__user")
        .filter(pk=booking_id, mentee=request.user)
        .first()
    )
    if booking is None:
        raise Http404("No such booking.")
    return booking


@login_required
@require_POST
def checkout_start(request, booking_id):
    return redirect_to_checkout(request, _own_booking(request, booking_id))


@login_required
def checkout_success(request, booking_id):
    """Stripe brings the mentee back here; only the signed webhook confirms, so we poll. Once it
    has, the booking page's confirmation takes over (a poll moves the page there)."""
    booking = _own_booking(request, booking_id)
    if booking.state == Booking.State.CONFIRMED:
        url = confirmation_url(booking)
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    if booking.state == Booking.State.REQUESTED or (
        booking.state != Booking.State.HELD
        and booking.events.filter(to_state=Booking.State.CONFIRMED).exists()
    ):
        # Paid and confirmed once, since completed or cancelled: its own page says what became of it.
        url = booking.get_absolute_url()
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    context = {"booking": booking}
    template = "billing/checkout_success.html#status" if request.htmx else "billing/checkout_success.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def checkout_cancel(request, booking_id):
    """Back from checkout without paying: release the hold and show the slot picker again.

    Stripe comes back here with a GET, so the address it was given is signed for the mentee;
    any other GET of a held booking asks first (pay after all, or let the time go)."""
    booking = _own_booking(request, booking_id)
    confirmed = request.method == "POST" or is_one_click(request)
    if booking.state == Booking.State.HELD and not confirmed:
        context = {
            "title": booking.offering.title,
            "held_until": booking.hold_expires_at,
            "what": "time",
            "pay_url": reverse("billing:checkout_start", args=[booking.pk]),
            "release_label": gettext("Let this time go"),
            "back_url": booking.get_absolute_url(),
        }
        return render(request, "core/checkout_left.html", context)
    if confirmed:
        services.checkout_abandon(booking=booking, by=request.user)
        if booking.state in (Booking.State.HELD, Booking.State.EXPIRED):
            messages.info(request, gettext("No payment was taken, and the time you picked is free again."))
    day = booking.starts_at.astimezone(request.viewer_zone).date()
    return redirect(f"{booking.offering.get_absolute_url()}?day={day.isoformat()}")


# --- webhooks ------------------------------------------------------------------------------


EVENT_ID_MAX = WebhookEvent._meta.get_field("stripe_event_id").max_length
EVENT_TYPE_MAX = WebhookEvent._meta.get_field("type").max_length
EVENT_MAX_DEPTH = 64  # Stripe's events nest a handful of levels
# What PostgreSQL's jsonb cannot hold in a string: NUL, and a surrogate that pairs with nothing.
UNSTORABLE_TEXT = re.compile("[\x00\ud800-\udfff]")


def _event_id_and_type(event) -> tuple[str, str]:
    """The id and type of a verified body, if it is an event we can store and process; else
    ValueError. A Stripe event is an object with a string id and type and an object in
    `data.object`; anything else, however well signed, is refused before anything is stored."""
    if not isinstance(event, dict):
        raise ValueError("the body is not a JSON object")
    event_id, event_type = event.get("id"), event.get("type")
    if not isinstance(event_id, str) or not 0 < len(event_id) <= EVENT_ID_MAX:
        raise ValueError(f"the event has no id of 1 to {EVENT_ID_MAX} characters")
    if not isinstance(event_type, str) or not 0 < len(event_type) <= EVENT_TYPE_MAX:
        raise ValueError(f"the event has no type of 1 to {EVENT_TYPE_MAX} characters")
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise ValueError("the event has no object in data.object")
    pending = [(event, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > EVENT_MAX_DEPTH:
            raise ValueError(f"the event is nested deeper than {EVENT_MAX_DEPTH} levels")
        if isinstance(value, dict):
            pending += [(key, depth) for key in value] + [(item, depth + 1) for item in value.values()]
        elif isinstance(value, list):
            pending += [(item, depth + 1) for item in value]
        elif isinstance(value, str) and UNSTORABLE_TEXT.search(value):
            raise ValueError("the event holds text the database cannot store (NUL, a lone surrogate)")
    return event_id, event_type


def _receive(request, *, secret: str, endpoint: str):
    if not secret:
        logger.error("webhook on %s endpoint but its secret is not set", endpoint)
        return HttpResponse("Webhook secret not configured.", status=400)
    try:
        event = stripe_client.construct_event(
            payload=request.body, signature=request.headers.get("Stripe-Signature", ""), secret=secret
        )
        event_id, event_type = _event_id_and_type(event)
    except stripe.SignatureVerificationError as error:
        logger.warning("refused a webhook on %s: %s", endpoint, error)
        return HttpResponse("Bad signature or payload.", status=400)
    except ValueError as error:
        # Signed with our secret, yet not an event: a bug on the sender's side, or a leaked secret.
        logger.error("refused a correctly signed webhook on %s: %s", endpoint, error)
        return HttpResponse("Bad signature or payload.", status=400)
    _, created = services.event_record(event_id=event_id, type=event_type, endpoint=endpoint, payload=event)
    return JsonResponse({"received": True, "duplicate": not created})


@csrf_exempt
@require_POST
def stripe_webhook(request):
    return _receive(request, secret=settings.STRIPE_WEBHOOK_SECRET, endpoint=WebhookEvent.Endpoint.PLATFORM)


@csrf_exempt
@require_POST
def connect_webhook(request):
    return _receive(
        request, secret=settings.STRIPE_CONNECT_WEBHOOK_SECRET, endpoint=WebhookEvent.Endpoint.CONNECT
    )


# --- demo provider -------------------------------------------------------------------------


def require_demo_provider() -> None:
    if settings.BILLING_PROVIDER != Payment.Provider.DEMO or not settings.DEBUG:
        raise Http404("The test checkout only exists in a local demo.")


@login_required
def demo_checkout(request, payment_id):
    """A local stand-in for Stripe's hosted page: no card, no real money."""
    require_demo_provider()
    payment = get_object_or_404(
        Payment.objects.select_related(
            "booking__offering",
            "booking__mentor__user",
            "enrollment__cohort__facilitator__user",
            "question__mentor__user",
        ).exclude(subscription__isnull=False),
        pk=payment_id,
        provider=Payment.Provider.DEMO,
    )
    if payment.buyer.pk != request.user.pk:
        raise Http404("No such checkout.")
    booking, enrollment = payment.booking, payment.enrollment
    # Another kind of purchase (a pack) says what its checkout shows and where it returns.
    returns = payment.kind.return_urls(payment.purchase)
    item = payment.kind.checkout_item(payment.purchase) if returns else None
    context = {
        "payment": payment,
        "booking": booking,
        "enrollment": enrollment,
        "question": payment.question,
        "item": item,
    }
    if returns:
        context["purchase"] = payment.purchase
    if enrollment:
        context["upgrade_credit"] = seat_upgrade_credit(enrollment=enrollment)
    context["series_total"] = series_checkout_total(payment) if booking else None
    # A promotion code: the price before it and what it took off, as Stripe's page shows them.
    redemption = codes.redemption_for(payment.purchase_id)
    context["code_redemption"] = redemption if redemption and redemption.amount == payment.amount else None
    if not services.demo_checkout_open(payment=payment):
        # Like an expired Stripe session: nothing can be paid here any more.
        return render(request, "billing/demo_checkout.html", {**context, "closed": True})
    if request.method == "POST":
        action = request.POST.get("action")
        if returns:
            paid_url, cancel_url = returns
        elif booking:
            paid_url = reverse("billing:checkout_success", args=[booking.pk])
            cancel_url = reverse("billing:checkout_cancel", args=[booking.pk])
        elif payment.question_id:
            paid_url, cancel_url = payment.kind.demo_return_urls(payment.purchase)
        else:
            paid_url = reverse("cohorts:checkout_success", args=[enrollment.cohort.slug])
            cancel_url = reverse("cohorts:checkout_cancel", args=[enrollment.cohort.slug])
        if action == "pay":
            events = demo.paid_events(payment)
        elif action == "decline":
            events = demo.declined_events(payment)
        elif action == "abandon":
            if returns:
                services.demo_checkout_abandon(payment=payment)
                return redirect(cancel_url)
            return redirect(one_click_url(cancel_url, user=request.user))
        else:
            return HttpResponse("Unknown action.", status=400)
        for event in events:
            services.event_record(
                event_id=event["id"], type=event["type"], endpoint=WebhookEvent.Endpoint.DEMO, payload=event
            )
        if action == "pay":
            return redirect(paid_url)
        payment.refresh_from_db()
        messages.error(request, payment.last_error or gettext("Your card was declined."))
        return redirect("billing:demo_checkout", payment_id=payment.pk)
    return render(request, "billing/demo_checkout.html", context)


# --- mentors: payouts and earnings ---------------------------------------------------------


def _to_onboarding(request, mentor: MentorProfile):
    """A fresh Stripe Account Link for the mentor, or back to the payouts page with the reason."""
    try:
        url = services.mentor_payouts_onboarding_url(
            mentor=mentor,
            return_url=request.build_absolute_uri(reverse("billing:payouts_return")),
            refresh_url=request.build_absolute_uri(reverse("billing:payouts_refresh")),
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("billing:payouts")
    return redirect(url)


@login_required
@reauthentication_required(allow_get=True)  # connecting where the money goes: prove it is you again
def payouts(request):
    mentor = own_mentor_profile(user=request.user)
    if request.method == "POST":
        return _to_onboarding(request, mentor)
    account = getattr(mentor, "connected_account", None)
    return render(
        request,
        "billing/payouts.html",
        {"mentor": mentor, "account": account, "provider": settings.BILLING_PROVIDER},
    )


@login_required
def payouts_return(request):
    mentor = own_mentor_profile(user=request.user)
    try:
        services.mentor_payouts_refresh(mentor=mentor)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("billing:payouts")


@login_required
def payouts_refresh(request):
    """Stripe sends the mentor here when an onboarding link expired: make a fresh one."""
    return _to_onboarding(request, own_mentor_profile(user=request.user))


@login_required
def earnings(request):
    mentor = own_mentor_profile(user=request.user)
    context = {
        "mentor": mentor,
        "laddered_up": selectors.mentor_laddered_up_count(mentor=mentor),
        **selectors.mentor_earnings(mentor=mentor),
    }
    return render(request, "billing/earnings.html", context)
