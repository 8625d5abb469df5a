from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.services.checkout import purchase_start_checkout
from core.errors import DomainError
from core.forms import show_error
from mentors.selectors import own_mentor_profile

from . import selectors, services
from .forms import PackBuyForm, PackForm
from .models import Pack, PackPurchase

State = PackPurchase.State


@login_required
@require_POST
def buy(request, pack_id):
    """Hold the pack for the mentee and send them to pay; the price is the server's."""
    pack = selectors.public_pack(pack_id=pack_id)
    form = PackBuyForm(request.POST)
    if not form.is_valid():
        return render(request, "packs/buy.html", {"pack": pack, "form": form}, status=400)
    try:
        purchase = services.pack_purchase_hold(pack=pack, mentee=request.user, code=form.cleaned_data["code"])
        payment = purchase_start_checkout(
            purchase=purchase,
            success_url=request.build_absolute_uri(purchase.get_absolute_url()),
            cancel_url=request.build_absolute_uri(pack.offering.get_absolute_url()),
        )
    except DomainError as error:
        if error.field != "code":
            messages.error(request, error.message)
            return redirect(pack.offering)
        show_error(form, error)  # a code that cannot be used: said next to it, nothing bought
        return render(request, "packs/buy.html", {"pack": pack, "form": form}, status=400)
    return redirect(payment.checkout_url)


@login_required
def detail(request, purchase_id):
    """The pack: its sessions and what they were spent on; while its payment is confirmed, the
    page polls (only the signed event makes it active)."""
    purchase = selectors.purchase_for_viewer(user=request.user, purchase_id=purchase_id)
    now = timezone.now()
    context = {
        "purchase": purchase,
        "is_mentee": purchase.mentee_id == request.user.pk,
        "is_mentor": purchase.offering.mentor.user_id == request.user.pk,
        "sessions": selectors.purchase_sessions(purchase=purchase),
        "usable": purchase.is_usable(now),
        # Only the signed event makes it active: poll while its checkout may still be paid.
        "waiting": purchase.state == State.HELD and (purchase.hold_expires_at or now) > now,
        "not_completed": purchase.state == State.RELEASED
        or (purchase.state == State.HELD and (purchase.hold_expires_at or now) <= now),
        "refund_amount": services.unused_refund_amount(purchase, purchase.sessions_left),
        "payment": getattr(purchase, "payment", None),
    }
    template = "packs/detail.html#status" if request.htmx else "packs/detail.html"
    return render(request, template, context)


@login_required
@require_POST
def refund(request, purchase_id):
    purchase = selectors.own_purchase(user=request.user, purchase_id=purchase_id)
    try:
        services.pack_refund_unused(purchase=purchase, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your unused sessions are being refunded; an e-mail confirms it."))
    return redirect(purchase)


# --- mentors -------------------------------------------------------------------------------


@login_required
def mentor_packs(request):
    mentor = own_mentor_profile(user=request.user)
    context = {
        "packs": selectors.mentor_packs(mentor=mentor),
        "buyers": selectors.mentor_pack_buyers(mentor=mentor),
        "can_add": selectors.offerings_without_pack(mentor=mentor).exists(),
    }
    return render(request, "packs/mentor_packs.html", context)


@login_required
def pack_edit(request, pack_id=None):
    mentor = own_mentor_profile(user=request.user)
    pack = get_object_or_404(Pack, pk=pack_id, offering__mentor=mentor) if pack_id else None
    form = PackForm(request.POST or None, instance=pack, mentor=mentor)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.pack_save(mentor=mentor, pack=pack, **form.service_fields())
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(
                request,
                _("Saved the pack of %(title)s: %(price)s.")
                % {"title": saved.offering.title, "price": saved.price_display},
            )
            return redirect("packs:mentor_packs")
    context = {"form": form, "pack": pack, "sold": pack.purchases.exists() if pack else False}
    return render(request, "packs/pack_form.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def pack_publish(request, pack_id):
    mentor = own_mentor_profile(user=request.user)
    pack = get_object_or_404(Pack, pk=pack_id, offering__mentor=mentor)
    try:
        services.pack_set_published(pack=pack, mentor=mentor, published=request.POST.get("published") == "1")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(reverse("packs:mentor_packs"))
