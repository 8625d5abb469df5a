"""Public cohort pages, enrolment and the member space. Members-only pages are 404 for everyone
else (other cohorts' members included): the check is `selectors.can_see_member_content`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.core.validators import slug_re
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from billing.selectors import seat_payment
from billing.services.codes import redemption_for
from core import pagecache
from core.errors import DomainError
from core.forms import show_error
from core.markdown import render_markdown
from core.meta import page_meta
from core.one_click import is_one_click, one_click_url
from core.templatetags.product import ordinal

from . import selectors, services
from .forms import CohortFilterForm, EnrollForm, PeerReviewForm, SubmissionForm
from .ics import user_feed
from .ladder import cohort_upgrade_offer
from .models import CalendarFeed, Cohort, Enrollment, Module, PeerReview
from .purchases import seat_start_checkout

State = Enrollment.State


@pagecache.anonymous_page(params=[*CohortFilterForm.base_fields, "page"], defaults={"page": "1"})
def cohort_list(request):
    pagecache.depends_on(request, pagecache.COHORTS)
    form = CohortFilterForm(request.GET or None)
    query = request.GET.urlencode()  # normalised by the page cache for signed-out visitors
    # The filter form and the results, each rendered once per normalised query (the results per
    # viewer's zone and clock too) while the cohorts are unchanged: a page that misses for a new
    # zone or language renders only base.html around them.
    context = {
        "form": form,
        "filters": pagecache.section(
            request,
            name="cohort-filters",
            parts=query,
            per_viewer=False,
            render=lambda: _filters(request, form),
        ),
        "results": pagecache.section(
            request, name="cohort-results", parts=query, render=lambda: _results(request, form)
        ),
    }
    template = "cohorts/list.html#results" if request.htmx else "cohorts/list.html"
    return render(request, template, context)


def _filters(request, form) -> str:
    pagecache.depends_on(request, pagecache.COHORTS)
    return get_template("cohorts/_list_filters.html").render({"form": form}, request)


def _results(request, form) -> str:
    pagecache.depends_on(request, pagecache.COHORTS)
    page = Paginator(form.filter(selectors.listed_cohorts()), 20).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {"page": page, "params": params.urlencode()}
    return get_template("cohorts/_list_results.html").render(context, request)


# How a language writes a place in a queue; English's "2nd" comes from core's `ordinal`.
PLACE_FORMATS = {"es": "{}.º", "de": "{}."}


def _place_label(place: int) -> str:
    return PLACE_FORMATS.get((get_language() or "")[:2], "").format(place) or ordinal(place)


def _page_context(request, cohort: Cohort, **extra) -> dict:
    enrollment = selectors.enrollment_of(cohort=cohort, user=request.user)
    is_facilitator = request.user.is_authenticated and cohort.facilitator.user_id == request.user.pk
    credit = cohort_upgrade_offer(cohort=cohort, user=request.user)
    place = (
        selectors.waitlist_place(enrollment)
        if enrollment and enrollment.state == Enrollment.State.WAITLISTED
        else None
    )
    paid_seat = seat_payment(cohort=cohort, user=request.user)
    return {
        "cohort": cohort,
        "enrollment": enrollment,
        "is_facilitator": is_facilitator,
        "is_member": bool(enrollment and enrollment.is_member),
        "modules": list(cohort.modules.all()),
        "events": list(selectors.events_of(cohort)),
        "messages_to_members": selectors.cohort_messages(cohort, limit=5)
        if (enrollment and enrollment.is_member) or is_facilitator
        else [],
        "alumni": selectors.alumni_outcomes(cohort),
        "upgrade_credit": credit,
        "upgrade_price": credit.price_after(cohort.price_amount, card_minimum=True) if credit else None,
        "enroll_form": EnrollForm(),
        "waitlist_place": place,
        "waitlist_place_label": _place_label(place) if place else "",
        "seat_payment": paid_seat,
        "code_redemption": redemption_for(paid_seat.enrollment_id) if paid_seat else None,
        **extra,
    }


@pagecache.anonymous_page()
def cohort_detail(request, slug):
    cohort = selectors.visible_cohort(slug=slug, user=request.user)
    pagecache.depends_on(request, pagecache.COHORTS, pagecache.mentor(cohort.facilitator_id))
    facilitator = cohort.facilitator
    meta = page_meta(
        request,
        title=cohort.title,
        description=f"{cohort.outcome} — a cohort led by {facilitator.user.name} ({cohort.price_display}).",
        photo=facilitator.photo,
    )
    return render(request, "cohorts/detail.html", _page_context(request, cohort, meta=meta))


def _refused(request, cohort: Cohort, form, error) -> HttpResponse:
    show_error(form, error)
    context = _page_context(request, cohort, enroll_form=form)
    return render(request, "cohorts/detail.html", context, status=400)


def _to_checkout(request, enrollment: Enrollment):
    """Send a held seat to the hosted checkout (Stripe, or the demo's test page)."""
    slug = enrollment.cohort.slug
    try:
        payment = seat_start_checkout(
            enrollment=enrollment,
            success_url=request.build_absolute_uri(reverse("cohorts:checkout_success", args=[slug])),
            cancel_url=request.build_absolute_uri(
                one_click_url(reverse("cohorts:checkout_cancel", args=[slug]), user=request.user)
            ),
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("cohorts:detail", slug=slug)
    return redirect(payment.checkout_url)


def _after_taking_a_place(request, enrollment: Enrollment):
    if enrollment.state == State.HELD:
        messages.info(request, _("Your seat is held for 30 minutes while you pay."))
        return _to_checkout(request, enrollment)
    if enrollment.state == State.WAITLISTED:
        messages.info(
            request, _("The cohort is full: you are on the waitlist. We'll e-mail you if a seat opens.")
        )
    else:
        messages.success(request, _("Welcome! You are a member of this cohort."))
    return redirect("cohorts:detail", slug=enrollment.cohort.slug)


@login_required
@require_POST
def enroll(request, slug):
    cohort = selectors.visible_cohort(slug=slug, user=request.user)
    form = EnrollForm(request.POST)
    if not form.is_valid():
        return render(
            request, "cohorts/detail.html", _page_context(request, cohort, enroll_form=form), status=400
        )
    try:
        enrollment = services.cohort_enroll(
            cohort=cohort, member=request.user, accept_norms=True, code=form.cleaned_data["code"]
        )
    except DomainError as error:
        return _refused(request, cohort, form, error)
    return _after_taking_a_place(request, enrollment)


def _own_place(request, cohort: Cohort) -> Enrollment:
    enrollment = selectors.enrollment_of(cohort=cohort, user=request.user)
    if enrollment is None:
        raise Http404("You have no place in this cohort.")
    return enrollment


@login_required
@require_POST
def claim_offer(request, slug):
    cohort = selectors.visible_cohort(slug=slug, user=request.user)
    enrollment = _own_place(request, cohort)
    form = EnrollForm(request.POST)
    if not form.is_valid():
        return render(
            request, "cohorts/detail.html", _page_context(request, cohort, enroll_form=form), status=400
        )
    try:
        enrollment = services.enrollment_claim_offer(
            enrollment=enrollment, member=request.user, accept_norms=True, code=form.cleaned_data["code"]
        )
    except DomainError as error:
        return _refused(request, cohort, form, error)
    return _after_taking_a_place(request, enrollment)


@login_required
@require_POST
def leave(request, slug):
    cohort = selectors.visible_cohort(slug=slug, user=request.user)
    enrollment = _own_place(request, cohort)
    was_member = enrollment.state == State.ACTIVE
    try:
        services.enrollment_leave(enrollment=enrollment, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        refunded = (
            was_member and enrollment.price_amount and services.leave_refunds(enrollment, at=timezone.now())
        )
        messages.success(
            request,
            _("You have left the cohort. Your seat is refunded in full.")
            if refunded
            else _("You have left the cohort."),
        )
    return redirect("cohorts:detail", slug=slug)


@login_required
@require_POST
def pay(request, slug):
    """Back to the checkout of a seat still held (e.g. the payment tab was closed)."""
    cohort = selectors.visible_cohort(slug=slug, user=request.user)
    enrollment = _own_place(request, cohort)
    if enrollment.state != State.HELD:
        messages.info(request, _("This seat is not waiting for payment."))
        return redirect("cohorts:detail", slug=slug)
    return _to_checkout(request, enrollment)


@login_required
def checkout_success(request, slug):
    """Back from checkout: only the (signed or demo) payment event makes a member, so we poll."""
    cohort = selectors.visible_cohort(slug=slug, user=request.user)
    enrollment = _own_place(request, cohort)
    context = {"cohort": cohort, "enrollment": enrollment, "confirmed": enrollment.is_member}
    template = "cohorts/checkout_success.html#status" if request.htmx else "cohorts/checkout_success.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def checkout_cancel(request, slug):
    """Back from checkout without paying: the seat goes back at once (to the waitlist first).
    Stripe's GET carries a link signed for the member; any other GET asks first."""
    cohort = selectors.visible_cohort(slug=slug, user=request.user)
    enrollment = selectors.enrollment_of(cohort=cohort, user=request.user)
    if enrollment is None or enrollment.state != State.HELD:
        return redirect("cohorts:detail", slug=slug)
    if request.method == "GET" and not is_one_click(request):
        context = {
            "title": cohort.title,
            "held_until": enrollment.hold_expires_at,
            "what": "seat",
            "pay_url": reverse("cohorts:pay", args=[slug]),
            "release_label": _("Give the seat back"),
            "back_url": cohort.get_absolute_url(),
        }
        return render(request, "core/checkout_left.html", context)
    services.enrollment_release_hold(enrollment=enrollment, note="checkout abandoned")
    messages.info(request, _("No payment was taken, and the seat was released."))
    return redirect("cohorts:detail", slug=slug)


# --- the member space -------------------------------------------------------------------------


def _member_cohort(request, slug) -> tuple[Cohort, Enrollment | None]:
    """The cohort and the viewer's membership; 404 unless member, facilitator or staff."""
    if not request.user.is_authenticated:
        raise Http404("No such cohort.")
    cohort = selectors.visible_cohort(slug=slug, user=request.user)
    if not selectors.can_see_member_content(cohort=cohort, user=request.user):
        raise Http404("No such cohort.")
    return cohort, selectors.member_enrollment(cohort=cohort, user=request.user)


@login_required
def member_space(request, slug):
    cohort, enrollment = _member_cohort(request, slug)
    now = timezone.now()
    submissions = selectors.submissions_by_module(enrollment=enrollment) if enrollment else {}
    modules = [
        {"module": module, "submission": submissions.get(module.pk)}
        for module in selectors.released_modules(cohort, now=now)
    ]
    feed = CalendarFeed.objects.filter(user=request.user).first()
    context = {
        "cohort": cohort,
        "enrollment": enrollment,
        "events": list(selectors.events_of(cohort, include_cancelled=True)),
        "modules": modules,
        "upcoming_modules": Module.objects.filter(cohort=cohort, release_at__gt=now).only(
            "week", "title", "release_at"
        ),
        "reviews_to_write": list(selectors.reviews_to_write(enrollment=enrollment)) if enrollment else [],
        "feedback": list(selectors.feedback_received(enrollment=enrollment)) if enrollment else [],
        "messages_to_members": selectors.cohort_messages(cohort),
        "feed_url": request.build_absolute_uri(feed.get_absolute_url()) if feed else None,
        "now": now,
    }
    return render(request, "cohorts/space.html", context)


def _released_module(cohort: Cohort, week: int) -> Module:
    module = Module.objects.filter(cohort=cohort, week=week, release_at__lte=timezone.now()).first()
    if module is None:
        raise Http404("No such module.")
    return module


@login_required
def module_page(request, slug, week):
    cohort, enrollment = _member_cohort(request, slug)
    module = _released_module(cohort, week)
    submission = module.submissions.filter(enrollment=enrollment).first() if enrollment else None
    form = SubmissionForm(
        initial={"text": submission.text, "links": submission.links} if submission else None
    )
    return render(
        request, "cohorts/module.html", _module_context(cohort, enrollment, module, submission, form)
    )


def _module_context(cohort, enrollment, module, submission, form) -> dict:
    return {
        "cohort": cohort,
        "enrollment": enrollment,
        "module": module,
        "content_html": render_markdown(module.content),
        "assignment_html": render_markdown(module.assignment),
        "submission": submission,
        "form": form,
        "can_submit": bool(enrollment and enrollment.state == State.ACTIVE and module.submissions_open()),
    }


@login_required
@require_POST
def submit(request, slug, week):
    cohort, enrollment = _member_cohort(request, slug)
    module = _released_module(cohort, week)
    if enrollment is None:
        raise Http404("Only members submit work.")
    form = SubmissionForm(request.POST)
    if form.is_valid():
        try:
            services.submission_save(module=module, enrollment=enrollment, **form.cleaned_data)
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Your submission is saved. You can edit it until it is due."))
            return redirect("cohorts:module", slug=slug, week=week)
    submission = module.submissions.filter(enrollment=enrollment).first()
    context = _module_context(cohort, enrollment, module, submission, form)
    return render(request, "cohorts/module.html", context, status=400)


@login_required
def peer_review(request, slug, review_id):
    """A review the viewer was assigned: the submission to read and the three-part form."""
    cohort, enrollment = _member_cohort(request, slug)
    review = (
        PeerReview.objects.filter(pk=review_id, reviewer=enrollment, submission__module__cohort=cohort)
        .select_related("submission__module", "submission__enrollment__member")
        .first()
        if enrollment
        else None
    )
    if review is None:
        raise Http404("No such review.")
    if request.method == "POST":
        form = PeerReviewForm(request.POST)
        if form.is_valid():
            try:
                services.peer_review_submit(review=review, by=request.user, **form.cleaned_data)
            except DomainError as error:
                show_error(form, error)
            else:
                messages.success(request, _("Thank you — your feedback is with the author."))
                return redirect("cohorts:space", slug=slug)
        status = 400
    else:
        form = PeerReviewForm(
            initial={
                "what_works": review.what_works,
                "suggestion": review.suggestion,
                "question": review.question,
            }
        )
        status = 200
    return render(
        request, "cohorts/peer_review.html", {"cohort": cohort, "review": review, "form": form}, status=status
    )


@login_required
def member_list(request, slug):
    cohort, _enrollment = _member_cohort(request, slug)
    return render(
        request, "cohorts/members.html", {"cohort": cohort, "members": selectors.members_of(cohort)}
    )


# --- the private calendar feed --------------------------------------------------------------


def calendar_feed(request, token):
    """No login: the unguessable token is the key (calendar apps cannot sign in)."""
    feed = CalendarFeed.objects.filter(token=token).select_related("user").first()
    if feed is None or not feed.user.is_active:
        raise Http404("No such calendar.")
    response = HttpResponse(user_feed(feed.user), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
@require_POST
def calendar_regenerate(request):
    had_one = CalendarFeed.objects.filter(user=request.user).exists()
    services.calendar_feed_regenerate(user=request.user)
    messages.success(
        request,
        _("Here is your new calendar address; the old one has stopped working.")
        if had_one
        else _("Your private calendar address is ready. Add it to your calendar app as a subscription."),
    )
    slug = request.POST.get("cohort", "")
    if slug_re.match(slug) and Cohort.objects.filter(slug=slug).exists():  # a raw value: a slug or nothing
        return redirect("cohorts:space", slug=slug)
    return redirect("dashboard:home")
