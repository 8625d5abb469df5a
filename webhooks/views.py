"""The mentor's webhooks pages (/mentor/webhooks/): endpoints, their secret (shown once), the
delivery log, "Send again" and a test event. Only the mentor's own: 404 for anyone else's."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from mentors.selectors import own_mentor_profile

from . import selectors, services
from .forms import EndpointForm
from .models import EventType

SECRET_KEY = "webhooks_secret_{}"


def _show_secret_once(request, endpoint_pk: int, secret: str) -> None:
    request.session[SECRET_KEY.format(endpoint_pk)] = secret


@login_required
def endpoints(request):
    mentor = own_mentor_profile(user=request.user)
    context = {"mentor": mentor, "endpoints": selectors.mentor_endpoints(mentor=mentor)}
    return render(request, "webhooks/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_new(request):
    mentor = own_mentor_profile(user=request.user)
    form = EndpointForm(
        request.POST if request.method == "POST" else None,
        initial={"events": EventType.values, "is_active": True},
    )
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = services.endpoint_create(mentor=mentor, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            _show_secret_once(request, endpoint.pk, secret)
            messages.success(
                request, _("Endpoint added. Copy its signing secret now: it is shown only once.")
            )
            return redirect("webhooks:endpoint", endpoint_id=endpoint.pk)
    status = 400 if form.errors else 200
    return render(request, "webhooks/form.html", {"form": form, "endpoint": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_edit(request, endpoint_id: int):
    mentor = own_mentor_profile(user=request.user)
    endpoint = selectors.own_endpoint(mentor=mentor, pk=endpoint_id)
    initial = {
        "url": endpoint.url,
        "description": endpoint.description,
        "events": endpoint.events,
        "is_active": endpoint.is_active,
    }
    form = EndpointForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.endpoint_update(endpoint=endpoint, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Endpoint saved."))
            return redirect("webhooks:endpoint", endpoint_id=endpoint.pk)
    status = 400 if form.errors else 200
    return render(request, "webhooks/form.html", {"form": form, "endpoint": endpoint}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_detail(request, endpoint_id: int):
    """The endpoint, its secret once, and its delivery log; POST: send a test event, roll the
    secret, delete it, or send one delivery again (`section`)."""
    mentor = own_mentor_profile(user=request.user)
    endpoint = selectors.own_endpoint(mentor=mentor, pk=endpoint_id)
    if request.method == "POST":
        return _act(request, mentor=mentor, endpoint=endpoint)
    context = {
        "endpoint": endpoint,
        "secret": request.session.pop(SECRET_KEY.format(endpoint.pk), None),
        "deliveries": selectors.endpoint_log(endpoint=endpoint),
        "log_page": selectors.LOG_PAGE,
    }
    return render(request, "webhooks/endpoint.html", context)


def _act(request, *, mentor, endpoint):
    section = request.POST.get("section")
    try:
        if section == "ping":
            services.endpoint_ping(endpoint=endpoint)
            messages.success(request, _("Test event sent: its result appears in the log below."))
        elif section == "roll":
            secret = services.endpoint_roll_secret(endpoint=endpoint)
            _show_secret_once(request, endpoint.pk, secret)
            messages.success(request, _("New signing secret made; the old one keeps working for 24 hours."))
        elif section == "delete":
            services.endpoint_delete(endpoint=endpoint)
            messages.success(request, _("Endpoint deleted: it receives no more events."))
            return redirect("webhooks:list")
        elif section == "resend":
            try:
                pk = uuid.UUID(request.POST.get("delivery", ""))
            except ValueError as error:  # a malformed id is as unknown as another mentor's
                raise Http404 from error
            delivery = selectors.own_delivery(mentor=mentor, pk=pk)
            if delivery.endpoint_id != endpoint.pk:
                raise Http404
            services.delivery_resend(delivery=delivery)
            messages.success(request, _("Sending the event again."))
        else:
            messages.error(request, _("Choose what to do."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("webhooks:endpoint", endpoint_id=endpoint.pk)
