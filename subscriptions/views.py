from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from billing.ladder import upgrade_offer_available
from billing.views import require_demo_provider
from core.errors import DomainError
from core.forms import show_error
from core.one_click import is_one_click, one_click_url
from mentors.selectors import own_mentor_profile

from . import demo, selectors, services
from .forms import PlanForm, SubscribeForm, SwitchPlanForm
from .models import Plan, Subscription

Status = Subscription.Status


def plan_page(request, plan_id, subscribe_form=None):
    plan = selectors.public_plan(plan_id=plan_id)
    credit = upgrade_offer_available(mentee=request.user, mentor=plan.mentor, currency=plan.currency)
    context = {
        "plan": plan,
        "credit": credit,
        "first_month": credit.price_after(plan.price_amount) if credit else plan.price_amount,
        "is_full": selectors.plan_is_full(plan),
        "current": selectors.open_subscription_with(user=request.user, mentor_id=plan.mentor_id),
        "subscribe_form": subscribe_form,
    }
    return render(request, "subscriptions/plan.html", context, status=400 if subscribe_form else 200)


@login_required
@require_POST
def subscribe(request, plan_id):
    plan = selectors.public_plan(plan_id=plan_id)
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return plan_page(request, plan_id, subscribe_form=form)
    try:
        subscription = services.subscription_start_checkout(
            plan=plan,
            mentee=request.user,
            base_url=request.build_absolute_uri("/"),
            code=form.cleaned_data["code"],
        )
    except DomainError as error:
        if error.field != "code":
            messages.error(request, error.message)
            return redirect(plan)
        show_error(form, error)  # a code that cannot be used: said next to it, nothing started
        return plan_page(request, plan_id, subscribe_form=form)
    return redirect(subscription.checkout_url)


def _detail_context(request, subscription: Subscription, **extra) -> dict:
    is_subscriber = subscription.mentee_id == request.user.pk
    return {
        "subscription": subscription,
        "is_subscriber": is_subscriber,
        "is_mentor": subscription.mentor.user_id == request.user.pk,
        "credits_left": selectors.credits_left(subscription=subscription),
        "credits_usable": subscription.credits_usable(),
        "bookings": selectors.subscription_bookings(subscription=subscription),
        "switch_form": extra.get("switch_form")
        or (SwitchPlanForm(subscription=subscription) if is_subscriber else None),
        "offerings": selectors.covered_offerings(subscription=subscription) if is_subscriber else [],
    }


@login_required
def detail(request, subscription_id):
    subscription = selectors.subscription_for_viewer(user=request.user, subscription_id=subscription_id)
    return render(request, "subscriptions/detail.html", _detail_context(request, subscription))


@login_required
def welcome(request, subscription_id):
    """Back from checkout: only the webhook makes the subscription active, so the page polls."""
    subscription = selectors.own_subscription(user=request.user, subscription_id=subscription_id)
    context = {
        "subscription": subscription,
        "active": subscription.status in Subscription.LIVE_STATUSES,
        "credits_left": selectors.credits_left(subscription=subscription),
    }
    template = "subscriptions/welcome.html#status" if request.htmx else "subscriptions/welcome.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def checkout_cancel(request, subscription_id):
    """Back from checkout without paying: the place under the plan is given up. Stripe's GET
    carries a link signed for the subscriber; any other GET asks first."""
    subscription = selectors.own_subscription(user=request.user, subscription_id=subscription_id)
    if not selectors.checkout_waiting(subscription=subscription):
        return redirect(subscription.plan)
    if request.method == "GET" and not is_one_click(request):
        context = {
            "title": gettext("%(plan)s with %(name)s")
            % {"plan": subscription.plan.name, "name": subscription.mentor.user.name},
            "pay_link": subscription.checkout_url,
            "release_label": gettext("Do not subscribe"),
            "back_url": subscription.plan.get_absolute_url(),
        }
        return render(request, "core/checkout_left.html", context)
    services.subscription_checkout_expire(subscription=subscription)
    messages.info(request, gettext("No payment was taken; you have not subscribed."))
    return redirect(subscription.plan)


def _manage(request, subscription_id, run, success: str):
    subscription = selectors.own_subscription(user=request.user, subscription_id=subscription_id)
    try:
        run(subscription)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect(subscription)


@login_required
@require_POST
def cancel(request, subscription_id):
    return _manage(
        request,
        subscription_id,
        lambda s: services.subscription_set_cancel_at_period_end(
            subscription=s, by=request.user, cancel=True
        ),
        gettext("Your subscription ends at the end of this period; your credits stay usable until then."),
    )


@login_required
@require_POST
def resume(request, subscription_id):
    return _manage(
        request,
        subscription_id,
        lambda s: services.subscription_set_cancel_at_period_end(
            subscription=s, by=request.user, cancel=False
        ),
        gettext("Welcome back: your subscription renews as before."),
    )


@login_required
@require_POST
def switch(request, subscription_id):
    subscription = selectors.own_subscription(user=request.user, subscription_id=subscription_id)
    form = SwitchPlanForm(request.POST, subscription=subscription)
    if form.is_valid():
        try:
            services.subscription_switch_plan(
                subscription=subscription, by=request.user, plan=form.cleaned_data["plan"]
            )
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(
                request, gettext("You are now on “%(plan)s”.") % {"plan": form.cleaned_data["plan"].name}
            )
            return redirect(subscription)
    context = _detail_context(request, subscription, switch_form=form)
    return render(request, "subscriptions/detail.html", context, status=400)


@login_required
@require_POST
def portal(request, subscription_id):
    subscription = selectors.own_subscription(user=request.user, subscription_id=subscription_id)
    try:
        url = services.subscription_portal_url(
            subscription=subscription,
            by=request.user,
            return_url=request.build_absolute_uri(subscription.get_absolute_url()),
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(subscription)
    return redirect(url)


# --- demo provider -------------------------------------------------------------------------


@login_required
def demo_checkout(request, subscription_id):
    """The demo's stand-in for Stripe's hosted subscription checkout: no card, no money."""
    require_demo_provider()
    subscription = selectors.own_subscription(user=request.user, subscription_id=subscription_id)
    if subscription.provider != Subscription.Provider.DEMO:
        raise Http404("No such checkout.")
    is_open = selectors.demo_checkout_open(subscription=subscription)
    credit = selectors.subscription_upgrade_credit(subscription=subscription)
    first_month, _ = selectors.subscription_first_charge(subscription)
    if request.method == "POST" and is_open:
        action = request.POST.get("action")
        if action == "pay":
            services.record_events(demo.checkout_paid_events(subscription, amount=first_month))
            return redirect("subscriptions:welcome", subscription_id=subscription.pk)
        if action == "decline":
            messages.error(request, gettext("Your card was declined. Try again, or abandon."))
            return redirect("subscriptions:demo_checkout", subscription_id=subscription.pk)
        if action == "abandon":
            cancel_url = reverse("subscriptions:checkout_cancel", args=[subscription.pk])
            return redirect(one_click_url(cancel_url, user=request.user))
        return HttpResponse("Unknown action.", status=400)
    context = {
        "subscription": subscription,
        "closed": not is_open,
        "credit": credit,
        "code": None if credit else selectors.subscription_code(subscription),
        "first_month": first_month,
    }
    return render(request, "subscriptions/demo_checkout.html", context)


@login_required
def demo_portal(request, subscription_id):
    """The demo's stand-in for Stripe's customer portal: the periods paid, no card on file."""
    require_demo_provider()
    subscription = selectors.own_subscription(user=request.user, subscription_id=subscription_id)
    return render(
        request,
        "subscriptions/demo_portal.html",
        {"subscription": subscription, "periods": selectors.paid_periods(subscription=subscription)},
    )


# --- mentors -------------------------------------------------------------------------------


@login_required
def mentor_plans(request):
    mentor = own_mentor_profile(user=request.user)
    context = {
        "mentor": mentor,
        "plans": selectors.mentor_plans(mentor=mentor),
        "subscribers": selectors.mentor_subscribers(mentor=mentor),
    }
    return render(request, "subscriptions/mentor_plans.html", context)


@login_required
def plan_edit(request, plan_id=None):
    mentor = own_mentor_profile(user=request.user)
    plan = get_object_or_404(Plan, pk=plan_id, mentor=mentor) if plan_id else None
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.plan_save(mentor=mentor, plan=plan, **form.service_fields())
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(request, gettext("Saved “%(name)s”.") % {"name": saved.name})
            return redirect("subscriptions:mentor_plans")
    return render(
        request,
        "subscriptions/plan_form.html",
        {"form": form, "plan": plan},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def plan_publish(request, plan_id):
    mentor = own_mentor_profile(user=request.user)
    plan = get_object_or_404(Plan, pk=plan_id, mentor=mentor)
    try:
        services.plan_set_published(
            plan=plan, by=request.user, published=request.POST.get("published") == "1"
        )
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("subscriptions:mentor_plans")
