from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from billing.selectors import booking_payment, booking_upgrade_offer
from billing.views import redirect_to_checkout
from core.errors import DomainError
from core.forms import show_error
from core.money import format_money
from core.ratelimit import limit_posts, refused_as_too_many
from moderation import selectors as moderation_selectors
from moderation import services as moderation_services
from moderation.forms import NoShowContestForm
from notifications.selectors import booking_notifications
from subscriptions.selectors import booking_credit, covering_subscription, credits_left

from . import selectors, services
from .forms import (
    BookingForm,
    CancelForm,
    CloseForm,
    PreworkForm,
    ReplyForm,
    RescheduleForm,
    ReviewForm,
    parse_slot,
)
from .ics import booking_calendar
from .models import Booking, Offering

DAYS_SHOWN = 14


def _offering_or_404(slug) -> Offering:
    try:
        return selectors.published_offerings().get(slug=slug)
    except Offering.DoesNotExist:
        raise Http404("No such offering.") from None


def _picker(request, *, offering: Offering, zone) -> dict:
    """The day picker and the slots of the chosen day, in the viewer's zone."""
    today = timezone.now().astimezone(zone).date()
    days = [today + timedelta(days=i) for i in range(DAYS_SHOWN)]
    day_error = None
    try:
        day = date.fromisoformat(request.GET.get("day", "")) if request.GET.get("day") else today
    except ValueError:
        day, day_error = today, "That is not a date; showing today."
    if day < today:
        day, day_error = today, "That day has passed; showing today."
    elif day > today + timedelta(days=offering.mentor.horizon_days):
        day, day_error = today, "That day is beyond how far ahead this mentor takes bookings."
    slots = selectors.offering_slots_for_day(offering=offering, day=day, zone=zone)
    chosen = None
    if request.GET.get("slot"):
        try:
            chosen = parse_slot(request.GET["slot"])
        except Exception:  # noqa: BLE001 - a bad slot simply selects nothing
            chosen = None
        if chosen not in slots:
            chosen = None
    return {"days": days, "day": day, "day_error": day_error, "slots": slots, "chosen": chosen}


def _price(request, offering: Offering) -> dict:
    """What this viewer pays: a cohort member of this mentor sees the member price, and a
    subscriber with a credit left may pay with it."""
    price = services.member_price(offering=offering, mentee=request.user)
    subscription = covering_subscription(mentee=request.user, offering=offering)
    return {
        "member_price": format_money(price, offering.currency) if price != offering.price_amount else None,
        "price_is_free": price == 0,
        "credit_subscription": subscription,
        "credits_left": credits_left(subscription=subscription) if subscription else 0,
    }


def offering_page(request, slug):
    offering = _offering_or_404(slug)
    context = {
        "offering": offering,
        **_price(request, offering),
        **_picker(request, offering=offering, zone=request.viewer_zone),
    }
    if context["chosen"]:
        context["form"] = BookingForm(offering=offering, initial={"starts_at": context["chosen"].isoformat()})
    template = "sessions/offering.html#panel" if request.htmx else "sessions/offering.html"
    return render(request, template, context)


@login_required
@require_POST
@limit_posts("booking", per_user="RATELIMIT_BOOKING_PER_USER", per_ip="RATELIMIT_BOOKING_PER_IP")
def book(request, slug):
    offering = _offering_or_404(slug)
    form = BookingForm(request.POST, offering=offering)
    status = 400
    if refused_as_too_many(request, form):
        status = 429
    elif form.is_valid():
        try:
            booking = services.booking_create(
                offering=offering,
                mentee=request.user,
                request=services.BookingRequest(starts_at=form.cleaned_data["starts_at"], **form.prework()),
                use_credit=form.cleaned_data["use_credit"],
            )
        except DomainError as error:
            show_error(form, error)
        else:
            if booking.state == Booking.State.HELD:
                messages.info(request, "Your slot is held for 30 minutes while you pay.")
                return redirect_to_checkout(request, booking)
            messages.success(request, "You're booked. We've e-mailed you the details and a calendar file.")
            if request.htmx:
                return HttpResponseClientRedirect(booking.get_absolute_url())
            return redirect(booking)
    chosen = form.cleaned_data.get("starts_at") if hasattr(form, "cleaned_data") else None
    zone = request.viewer_zone
    day = chosen.astimezone(zone).date() if chosen else None
    request.GET = request.GET.copy()
    if day:
        request.GET["day"] = day.isoformat()
    context = {
        "offering": offering,
        **_price(request, offering),
        **_picker(request, offering=offering, zone=zone),
        "form": form,
        "chosen": chosen,
    }
    template = "sessions/offering.html#panel" if request.htmx else "sessions/offering.html"
    return render(request, template, context, status=status)


def _booking_or_404(request, booking_id) -> Booking:
    if not request.user.is_authenticated:
        raise Http404("No such booking.")
    try:
        return selectors.booking_for_viewer(user=request.user, booking_id=booking_id)
    except Booking.DoesNotExist:
        raise Http404("No such booking.") from None


def _booking_context(request, booking: Booking, **forms) -> dict:
    now = timezone.now()
    is_mentor = booking.mentor.user_id == request.user.pk
    is_mentee = booking.mentee_id == request.user.pk
    action_item = getattr(booking, "action_item", None) if booking.state == Booking.State.COMPLETED else None
    review = getattr(booking, "review", None) if action_item else None
    deadline = services.cancellation_deadline(booking)
    context = {
        "booking": booking,
        "is_mentor": is_mentor,
        "is_mentee": is_mentee,
        "action_item": action_item,
        "review": review,
        "deadline": deadline,
        "refund_window_open": now <= deadline,
        "can_cancel": booking.is_active and booking.starts_at > now and (is_mentor or is_mentee),
        "can_reschedule": booking.state == Booking.State.CONFIRMED
        and booking.reschedule_count == 0
        and now <= deadline
        and (is_mentor or is_mentee),
        "can_close": is_mentor and booking.state == Booking.State.CONFIRMED and now >= booking.ends_at,
        "can_report": booking.state == Booking.State.CONFIRMED
        and booking.starts_at + services.NO_SHOW_GRACE <= now <= booking.ends_at + services.NO_SHOW_WINDOW
        and (is_mentor or is_mentee),
        "close_form": forms.get("close_form")
        or CloseForm(initial={"due_date": (now + timedelta(days=7)).date()}),
        "review_form": forms.get("review_form") or ReviewForm(),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "cancel_form": CancelForm(),
        "can_edit_prework": is_mentee and booking.is_active and booking.starts_at > now,
        "prework_form": forms.get("prework_form") or PreworkForm.for_booking(booking),
        "payment": booking_payment(booking=booking) if booking.price_amount else None,
        "credit": booking_credit(booking=booking) if not booking.price_amount else None,
        "reminders": list(booking_notifications(booking=booking)) if is_mentor or is_mentee else [],
        "upgrade_offer": booking_upgrade_offer(booking=booking, user=request.user)
        if review and is_mentee
        else None,
        **_no_show_context(booking, now=now, is_mentee=is_mentee, is_mentor=is_mentor, **forms),
    }
    return context


def _no_show_context(booking: Booking, *, now, is_mentee: bool, is_mentor: bool, **forms) -> dict:
    """Who reported whom absent, a contest and its decision: both sides and staff see them; the
    reported side may contest within 48 h of the report."""
    report = moderation_selectors.no_show_report(booking)
    dispute = getattr(booking, "noshow_dispute", None)
    if report is None and dispute is None:
        return {}
    reported_side = is_mentee if booking.state == Booking.State.NO_SHOW_MENTEE else is_mentor
    deadline = report.at + moderation_services.CONTEST_WINDOW if report else None
    return {
        "no_show_report": report,
        "dispute": dispute,
        "contest_deadline": deadline,
        "can_contest": report is not None and dispute is None and reported_side and now <= deadline,
        "contest_form": forms.get("contest_form") or NoShowContestForm(),
        "upheld_strikes": moderation_selectors.upheld_strikes(mentor_id=booking.mentor_id, now=now).count()
        if is_mentor
        else None,
    }


@login_required  # a link from an e-mail, opened signed out, leads to the login and back
def booking_detail(request, booking_id):
    booking = _booking_or_404(request, booking_id)
    return render(request, "sessions/booking.html", _booking_context(request, booking))


@login_required
def booking_ics(request, booking_id):
    booking = _booking_or_404(request, booking_id)
    response = HttpResponse(booking_calendar(booking), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="session-{booking.starts_at:%Y%m%d}.ics"'
    return response


def _act(request, booking_id, *, form_class=None, form_name=None, run):
    """Run one booking action; errors show next to the field on the booking page."""
    booking = _booking_or_404(request, booking_id)
    form = form_class(request.POST) if form_class else None
    if form is None or form.is_valid():
        try:
            message = run(booking, form.cleaned_data if form else {})
        except DomainError as error:
            if form is not None and error.field in form.fields:
                form.add_error(error.field, error.message)
            else:
                messages.error(request, error.message)
                return redirect(booking)
        else:
            messages.success(request, message)
            return redirect(booking)
    booking = _booking_or_404(request, booking_id)
    context = _booking_context(request, booking, **({form_name: form} if form_name else {}))
    return render(request, "sessions/booking.html", context, status=400)


@login_required
@require_POST
def booking_cancel(request, booking_id):
    def run(booking, data):
        services.booking_cancel(booking=booking, by=request.user, reason=data.get("reason", ""))
        return "The booking is cancelled; both of you have been e-mailed."

    return _act(request, booking_id, form_class=CancelForm, run=run)


@login_required
def booking_reschedule(request, booking_id):
    booking = _booking_or_404(request, booking_id)
    if request.method == "POST":
        form = RescheduleForm(request.POST)
        if form.is_valid():
            try:
                services.booking_reschedule(
                    booking=booking, by=request.user, starts_at=form.cleaned_data["starts_at"]
                )
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, "Rescheduled. A new calendar file is on its way.")
                return redirect(booking)
        else:
            messages.error(request, "Pick one of the times shown.")
    context = {
        "booking": booking,
        **_picker(request, offering=booking.offering, zone=request.viewer_zone),
    }
    template = "sessions/reschedule.html#panel" if request.htmx else "sessions/reschedule.html"
    return render(request, template, context)


@login_required
@require_POST
def booking_prework(request, booking_id):
    booking = _booking_or_404(request, booking_id)
    form = PreworkForm.for_booking(booking, request.POST)
    if form.is_valid():
        try:
            services.booking_update_prework(booking=booking, by=request.user, **form.prework())
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(request, "Pre-work saved. Your mentor will read it before the session.")
            return redirect(booking)
    return render(
        request,
        "sessions/booking.html",
        _booking_context(request, booking, prework_form=form),
        status=400,
    )


@login_required
@require_POST
def booking_close(request, booking_id):
    def run(booking, data):
        services.booking_close(
            booking=booking,
            by=request.user,
            action_item=data["action_item"],
            due_date=data["due_date"],
            notes=data["notes"],
            resources=data["resources"],
        )
        return "Session closed. Your mentee can see the action item now."

    return _act(request, booking_id, form_class=CloseForm, form_name="close_form", run=run)


@login_required
@require_POST
def action_item_done(request, booking_id):
    def run(booking, data):
        done = request.POST.get("done", "1") == "1"
        services.action_item_mark_done(booking=booking, by=request.user, done=done)
        return "Nice work — marked as done." if done else "Marked as not done yet."

    return _act(request, booking_id, run=run)


@login_required
@require_POST
def review(request, booking_id):
    def run(booking, data):
        services.review_create(booking=booking, by=request.user, rating=data["rating"], text=data["text"])
        return "Thanks for your review."

    return _act(request, booking_id, form_class=ReviewForm, form_name="review_form", run=run)


@login_required
@require_POST
def review_reply(request, booking_id):
    def run(booking, data):
        services.review_reply(booking=booking, by=request.user, reply=data["reply"])
        return "Reply posted."

    return _act(request, booking_id, form_class=ReplyForm, form_name="reply_form", run=run)


@login_required
@require_POST
def report_no_show(request, booking_id):
    def run(booking, data):
        services.booking_report_no_show(booking=booking, by=request.user)
        return "No-show recorded. Staff will look at it if it is contested."

    return _act(request, booking_id, run=run)


@login_required
@require_POST
def contest_no_show(request, booking_id):
    """The person reported absent says they were there; staff decide."""
    booking = _booking_or_404(request, booking_id)
    form = NoShowContestForm(request.POST)
    if form.is_valid():
        try:
            moderation_services.noshow_contest(
                booking=booking, by=request.user, note=form.cleaned_data["note"]
            )
        except DomainError as error:
            form.add_error("note", str(error))
        else:
            messages.success(request, "Contested. Our team will look at it and e-mail you both the decision.")
            return redirect(booking)
    booking = _booking_or_404(request, booking_id)
    context = _booking_context(request, booking, contest_form=form)
    if context.get("no_show_report") is None:  # nothing to contest: no form to show the error beside
        messages.error(request, " ".join(form.errors.get("note", [])))
        return redirect(booking)
    context["can_contest"] = True  # the form again, with its error beside the note
    return render(request, "sessions/booking.html", context, status=400)
