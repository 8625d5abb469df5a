from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from core import pagecache
from core.clock import viewer_clock
from core.errors import DomainError
from core.forms import show_error
from core.meta import page_meta
from core.money import format_money
from core.ratelimit import limit_posts, refused_as_too_many

from . import calendar, hooks, policy, selectors, services
from .activity import booking_activity
from .confirmation import booking_confirmation, confirmation_url, wants_confirmation
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
from .ics import booking_calendar, google_calendar_url, outlook_calendar_url
from .models import Booking, Offering


def _offering_or_404(slug) -> Offering:
    try:
        return selectors.published_offerings().get(slug=slug)
    except Offering.DoesNotExist:
        raise Http404("No such offering.") from None


def _picker(request, *, offering: Offering, zone, paid: bool = True) -> dict:
    """The month calendar and the chosen day's times, in the viewer's zone and clock.

    Without a day (or month) asked for, it opens on the first day with a free time. The slot
    engine runs once over the month shown (over the months up to the horizon when it looks for
    the first free day)."""
    now = timezone.now()
    today = now.astimezone(zone).date()
    last = today + timedelta(days=offering.mentor.horizon_days)
    this_month, last_month = today.replace(day=1), last.replace(day=1)
    day, day_error = None, None
    if request.GET.get("day"):
        try:
            day = date.fromisoformat(request.GET["day"])
        except ValueError:
            day_error = _("That is not a date; showing the first free day.")
        else:
            if day < today:
                day, day_error = None, _("That day has passed; showing the first free day.")
            elif day > last:
                day, day_error = None, _("That day is beyond how far ahead this mentor takes bookings.")
    month = day.replace(day=1) if day else calendar.parse_month(request.GET.get("month", ""))
    if month is not None:
        month = min(max(month, this_month), last_month)
    until = calendar.add_months(month or last_month, 1)
    by_day = selectors.offering_slots_by_day(
        offering=offering, first=month or this_month, until=until, zone=zone, now=now
    )
    free = sorted(by_day)
    if day is None:
        day = free[0] if free else max(month or today, today)
        month = month or day.replace(day=1)
    free_days = {d for d in free if d.replace(day=1) == month}
    slots = by_day.get(day, [])
    _page_expiry(request, offering=offering, by_day=by_day, slots=slots, zone=zone, now=now, paid=paid)
    chosen = None
    if request.GET.get("slot"):
        try:
            chosen = parse_slot(request.GET["slot"])
        except Exception:  # noqa: BLE001 - a bad slot simply selects nothing
            chosen = None
        if chosen not in slots:
            chosen = None
    clock = viewer_clock(request)
    groups = calendar.slot_groups(
        slots,
        zone=zone,
        twelve_hour=clock.twelve_hour,
        window_hours=offering.cancellation_window_hours,
        now=now,
        paid=paid,
    )
    chosen_view = next((v for g in groups for v in g.slots if v.at == chosen), None)
    return {
        "day": day,
        "day_error": day_error,
        "slots": slots,
        "slot_groups": groups,
        "chosen": chosen,
        "chosen_view": chosen_view,
        "month": month,
        "weekday_names": calendar.weekday_names(clock.first_weekday),
        "weeks": calendar.month_weeks(
            month, free_days=free_days, selected=day, today=today, first_weekday=clock.first_weekday
        ),
        "month_has_free_days": bool(free_days),
        "prev_month": calendar.add_months(month, -1) if month > this_month else None,
        "next_month": calendar.add_months(month, 1) if month < last_month else None,
    }


# The same picker in the booking widget's frame (embed/views.py).
picker_context = _picker


def _page_expiry(request, *, offering: Offering, by_day: dict, slots: list, zone, now, paid: bool) -> None:
    """A cached picker must not outlive what it shows: its first free time entering the minimum
    notice (the booking would refuse it), a shown time entering the cancellation window (its
    late-booking note), the viewer's midnight (today's mark)."""
    if by_day:
        pagecache.expires_by(request, min(times[0] for times in by_day.values()) - offering.mentor.notice)
    window = timedelta(hours=offering.cancellation_window_hours)
    if paid:
        pagecache.expires_by(request, next((s - window for s in slots if s - window > now), None))
        if any(s - window <= now for s in slots):  # "starts in 3 hours" counts down
            pagecache.expires_by(request, now + timedelta(minutes=1))
    tomorrow = now.astimezone(zone).date() + timedelta(days=1)
    pagecache.expires_by(request, datetime.combine(tomorrow, time(), tzinfo=zone))


def _price(request, offering: Offering) -> dict:
    """What this viewer pays: a cohort member of this mentor sees the member price, and a
    subscriber with a credit left may pay with it (hooks.offering_page_context)."""
    price = services.member_price(offering=offering, mentee=request.user)
    context = {
        "member_price": format_money(price, offering.currency) if price != offering.price_amount else None,
        "price_is_free": price == 0,
        "credit_subscription": None,
        "credits_left": 0,
        "pack": None,
        "pack_purchase": None,
        "pack_sessions_left": 0,
        "intro_used": services.intro_used(offering=offering, mentee=request.user),
    }
    for extra in hooks.offering_page_context.call(offering=offering, viewer=request.user):
        context.update(extra)
    return context


def _meta(request, offering: Offering) -> dict:
    mentor = offering.mentor
    price = _("free") if offering.is_free else offering.price_display
    return page_meta(
        request,
        title=_("%(offering)s with %(mentor)s") % {"offering": offering.title, "mentor": mentor.user.name},
        description=_("%(minutes)s minutes, %(price)s: %(outcome)s")
        % {"minutes": offering.duration_minutes, "price": price, "outcome": offering.outcome},
        photo=mentor.photo,
    )


@pagecache.anonymous_page(params=["day", "month", "slot"])
def offering_page(request, slug):
    offering = _offering_or_404(slug)
    pagecache.depends_on(request, pagecache.mentor(offering.mentor_id))
    price = _price(request, offering)
    context = {"offering": offering, **price, "meta": _meta(request, offering)}
    if pagecache.rendering(request):
        # The picker and form, rendered once per offering, normalised query, zone and clock while
        # the mentor's free time is unchanged, and shared by every language of that viewer.
        context["panel"] = pagecache.section(
            request,
            name="offering-panel",
            parts=(offering.pk, request.GET.urlencode()),
            render=lambda: get_template("sessions/_offering_panel.html").render(
                _panel_context(request, offering, context), request
            ),
        )
    else:
        context = _panel_context(request, offering, context)
    template = "sessions/offering.html#panel" if request.htmx else "sessions/offering.html"
    return render(request, template, context)


def _panel_context(request, offering: Offering, context: dict) -> dict:
    pagecache.depends_on(request, pagecache.mentor(offering.mentor_id))
    paid = not context["price_is_free"]
    context = {**context, **_picker(request, offering=offering, zone=request.viewer_zone, paid=paid)}
    if context["chosen"]:
        context["form"] = BookingForm(offering=offering, initial={"starts_at": context["chosen"].isoformat()})
    return context


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
                use_pack=form.cleaned_data["use_pack"],
                code=form.cleaned_data["code"],
            )
        except DomainError as error:
            show_error(form, error)
        else:
            if booking.state == Booking.State.HELD:
                messages.info(request, _("Your slot is held for 30 minutes while you pay."))
                to_payment = hooks.payment_redirect.first(request=request, booking=booking)
                return to_payment if to_payment is not None else redirect(booking)
            if booking.state == Booking.State.REQUESTED:
                messages.success(request, _("Request sent: the mentor replies within 48 hours."))
                url = booking.get_absolute_url()
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
            # The page opens on its confirmation, which says it was booked and e-mailed.
            if request.htmx:
                return HttpResponseClientRedirect(confirmation_url(booking))
            return redirect(confirmation_url(booking))
    chosen = form.cleaned_data.get("starts_at") if hasattr(form, "cleaned_data") else None
    zone = request.viewer_zone
    day = chosen.astimezone(zone).date() if chosen else None
    request.GET = request.GET.copy()
    if day:
        request.GET["day"] = day.isoformat()
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


def booking_or_404(request, booking_id) -> Booking:
    """The booking as its mentee, its mentor or staff see it; 404 for anyone else."""
    if not request.user.is_authenticated:
        raise Http404("No such booking.")
    try:
        return selectors.booking_for_viewer(user=request.user, booking_id=booking_id)
    except Booking.DoesNotExist:
        raise Http404("No such booking.") from None


def booking_context(request, booking: Booking, **forms) -> dict:
    """The booking page for this viewer: its buttons from policy.booking_actions, the forms (a
    bound one shown again with its errors), and what other apps add (hooks.booking_page_context)."""
    now = timezone.now()
    user = request.user
    is_mentor = policy.is_mentor(user, booking)
    is_mentee = policy.is_mentee(user, booking)
    action_item = getattr(booking, "action_item", None) if booking.state == Booking.State.COMPLETED else None
    deadline = policy.cancellation_deadline(booking)
    can = policy.booking_actions(booking, user=user, now=now)
    confirmed = booking.state == Booking.State.CONFIRMED
    context = {
        "booking": booking,
        "confirmation": booking_confirmation(booking, viewer_zone=request.viewer_zone, now=now)
        if wants_confirmation(request, booking)
        else None,
        "join_open": confirmed and policy.join_opens_at(booking) <= now < booking.ends_at,
        "activity": booking_activity(booking, viewer=user, twelve_hour=viewer_clock(request).twelve_hour)
        if is_mentor or is_mentee
        else [],
        "google_calendar_url": google_calendar_url(booking),
        "outlook_calendar_url": outlook_calendar_url(booking),
        "is_mentor": is_mentor,
        "is_mentee": is_mentee,
        "action_item": action_item,
        "review": getattr(booking, "review", None) if action_item else None,
        "deadline": deadline,
        "refund_window_open": now <= deadline,
        "can_cancel": can.cancel,
        "can_reschedule": can.reschedule,
        "can_close": can.close,
        "can_report": can.report_no_show,
        "can_edit_prework": can.edit_prework,
        "close_form": forms.get("close_form")
        or CloseForm(initial={"due_date": (now + timedelta(days=7)).date()}),
        "review_form": forms.get("review_form") or ReviewForm(),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "cancel_form": CancelForm(),
        "prework_form": forms.get("prework_form") or PreworkForm.for_booking(booking),
        # What other apps show; these names stay empty when none does.
        "payment": None,
        "refund_requested": False,
        "credit": None,
        "pack_session": None,
        "reminders": [],
        "upgrade_offer": None,
    }
    for extra in hooks.booking_page_context.call(booking=booking, viewer=user, now=now, forms=forms):
        context.update(extra)
    return context


@login_required  # a link from an e-mail, opened signed out, leads to the login and back
def booking_detail(request, booking_id):
    booking = booking_or_404(request, booking_id)
    return render(request, "sessions/booking.html", booking_context(request, booking))


@login_required
def booking_ics(request, booking_id):
    booking = booking_or_404(request, booking_id)
    response = HttpResponse(booking_calendar(booking), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="session-{booking.starts_at:%Y%m%d}.ics"'
    return response


def _act(request, booking_id, *, form_class=None, form_name=None, run):
    """Run one booking action; errors show next to the field on the booking page."""
    booking = booking_or_404(request, booking_id)
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
    booking = booking_or_404(request, booking_id)
    context = booking_context(request, booking, **({form_name: form} if form_name else {}))
    return render(request, "sessions/booking.html", context, status=400)


@login_required
@require_POST
def booking_cancel(request, booking_id):
    def run(booking, data):
        services.booking_cancel(booking=booking, by=request.user, reason=data.get("reason", ""))
        return _("The booking is cancelled; both of you have been e-mailed.")

    return _act(request, booking_id, form_class=CancelForm, run=run)


@login_required
def booking_reschedule(request, booking_id):
    booking = booking_or_404(request, booking_id)
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
                messages.success(request, _("Rescheduled. A new calendar file is on its way."))
                return redirect(booking)
        else:
            messages.error(request, _("Pick one of the times shown."))
    context = {
        "booking": booking,
        **_picker(
            request, offering=booking.offering, zone=request.viewer_zone, paid=bool(booking.price_amount)
        ),
    }
    template = "sessions/reschedule.html#panel" if request.htmx else "sessions/reschedule.html"
    return render(request, template, context)


@login_required
@require_POST
def booking_prework(request, booking_id):
    booking = booking_or_404(request, booking_id)
    form = PreworkForm.for_booking(booking, request.POST)
    if form.is_valid():
        try:
            services.booking_update_prework(booking=booking, by=request.user, **form.prework())
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Pre-work saved. Your mentor will read it before the session."))
            return redirect(booking)
    return render(
        request,
        "sessions/booking.html",
        booking_context(request, booking, prework_form=form),
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
        return _("Session closed. Your mentee can see the action item now.")

    return _act(request, booking_id, form_class=CloseForm, form_name="close_form", run=run)


@login_required
@require_POST
def action_item_done(request, booking_id):
    def run(booking, data):
        done = request.POST.get("done", "1") == "1"
        services.action_item_mark_done(booking=booking, by=request.user, done=done)
        return _("Nice work — marked as done.") if done else _("Marked as not done yet.")

    return _act(request, booking_id, run=run)


@login_required
@require_POST
def review(request, booking_id):
    def run(booking, data):
        services.review_create(booking=booking, by=request.user, rating=data["rating"], text=data["text"])
        return _("Thanks for your review.")

    return _act(request, booking_id, form_class=ReviewForm, form_name="review_form", run=run)


@login_required
@require_POST
def review_reply(request, booking_id):
    def run(booking, data):
        services.review_reply(booking=booking, by=request.user, reply=data["reply"])
        return _("Reply posted.")

    return _act(request, booking_id, form_class=ReplyForm, form_name="reply_form", run=run)


@login_required
@require_POST
def report_no_show(request, booking_id):
    def run(booking, data):
        services.booking_report_no_show(booking=booking, by=request.user)
        return _("No-show recorded. Staff will look at it if it is contested.")

    return _act(request, booking_id, run=run)
