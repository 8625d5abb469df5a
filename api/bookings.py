"""A person's own bookings, with their personal token: read them (scope read), and book, cancel
and reschedule (scope book) through the same services, rules and messages as the pages. The API
books what needs no card: free sessions, and sessions paid with a subscription credit or a pack;
one paid by card is refused with a link to book it on the site."""

import uuid
from typing import Literal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import get_usage
from ninja import Field, Query, Router, Schema, Status

from core.ratelimit import TOO_MANY as TOO_MANY_BOOKINGS
from sessions import services
from sessions.forms import BookingForm, CancelForm, RescheduleForm
from sessions.models import Booking, Offering
from sessions.selectors import published_offerings

from . import present
from .auth import TokenAuth
from .errors import CARD_ON_SITE, ErrorOut, NotFound, PayOnSite, TooMany
from .public import Limit, Offset, form_errors
from .schemas import BookIn, BookingOut, BookingPage, CancelIn, RescheduleIn
from .selectors import own_bookings

router = Router(tags=["My bookings"])
READ, BOOK = TokenAuth(), TokenAuth(book=True)
ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}


def _booking(request, booking_id: uuid.UUID) -> Booking:
    """One of the token's person's own bookings; anyone else's is 404, as on the site."""
    booking = own_bookings(request.auth.user).filter(pk=booking_id).first()
    if booking is None:
        raise NotFound(_("No such booking."))
    return booking


def _show(request, booking: Booking) -> dict:
    booking = own_bookings(request.auth.user).get(pk=booking.pk)  # as stored after the service
    return present.booking(request, booking, user=request.auth.user, now=timezone.now())


def _count_booking(request) -> None:
    """The page's own limit on booking, per person, counted together with the page's."""
    user_id = str(request.auth.user.pk)
    usage = get_usage(
        request,
        group="booking",
        key=lambda group, request: user_id,
        rate=settings.RATELIMIT_BOOKING_PER_USER,
        method="POST",
        increment=True,
    )
    if usage and usage["should_limit"]:
        seconds = max(int(usage["time_left"]), 1)
        raise TooMany(TOO_MANY_BOOKINGS, headers={"Retry-After": str(seconds)})


class BookingsQuery(Schema):
    when: Literal["", "upcoming", "past"] = Field("", description="upcoming, past, or both (newest first).")


@router.get("/bookings", auth=READ, response={200: BookingPage, **ERRORS}, url_name="bookings")
def bookings(
    request,
    asked: Query[BookingsQuery],
    limit: Limit = 20,
    offset: Offset = 0,
):
    """My bookings, as mentee and as mentor."""
    now = timezone.now()
    rows = own_bookings(request.auth.user, when=asked.when, now=now)
    user = request.auth.user
    return present.page(
        request,
        rows,
        limit=limit,
        offset=offset,
        present=lambda request, b: present.booking(request, b, user=user, now=now),
    )


@router.post("/bookings", auth=BOOK, response={201: BookingOut, 402: ErrorOut, **ERRORS}, url_name="book")
def book(request, payload: BookIn):
    """Book a free slot of an offering (GET /offerings/{slug}/slots): free, or paid with a
    subscription credit (`use_credit`) or a session of a pack (`use_pack`)."""
    user = request.auth.user
    try:
        offering = published_offerings().get(slug=payload.offering)
    except Offering.DoesNotExist:
        raise NotFound(_("No such offering.")) from None
    data = {
        "starts_at": payload.starts_at.isoformat(),
        "outcome": payload.outcome,
        "context_notes": payload.context_notes,
        "links": payload.links,
        "code": "",
        **({"use_credit": "on"} if payload.use_credit else {}),
        **({"use_pack": "on"} if payload.use_pack else {}),
        **{f"prework_{i}": answer for i, answer in enumerate(payload.prework_answers)},
    }
    form = BookingForm(data, offering=offering)
    if not form.is_valid():
        raise form_errors(form)
    paid_by_credit = form.cleaned_data["use_credit"] or form.cleaned_data["use_pack"]
    if not paid_by_credit and services.member_price(offering=offering, mentee=user) > 0:
        raise PayOnSite(CARD_ON_SITE % {"url": request.build_absolute_uri(offering.get_absolute_url())})
    _count_booking(request)
    prework = form.prework()
    if len(payload.prework_answers) > len(form.prompts):
        prework["prework_answers"] = payload.prework_answers  # the service says how many it takes
    booking = services.booking_create(
        offering=offering,
        mentee=user,
        request=services.BookingRequest(starts_at=form.cleaned_data["starts_at"], **prework),
        use_credit=form.cleaned_data["use_credit"],
        use_pack=form.cleaned_data["use_pack"],
    )
    return Status(201, _show(request, booking))


@router.get(
    "/bookings/{uuid:booking_id}", auth=READ, response={200: BookingOut, **ERRORS}, url_name="booking"
)
def booking(request, booking_id: uuid.UUID):
    return _show(request, _booking(request, booking_id))


@router.post(
    "/bookings/{uuid:booking_id}/cancel",
    auth=BOOK,
    response={200: BookingOut, **ERRORS},
    url_name="booking_cancel",
)
def cancel(request, booking_id: uuid.UUID, payload: CancelIn):
    """Cancel as the booking page does: refunds and credits follow the cancellation policy."""
    found = _booking(request, booking_id)
    form = CancelForm({"reason": payload.reason})
    if not form.is_valid():
        raise form_errors(form)
    services.booking_cancel(booking=found, by=request.auth.user, reason=form.cleaned_data["reason"])
    return _show(request, found)


@router.post(
    "/bookings/{uuid:booking_id}/reschedule",
    auth=BOOK,
    response={200: BookingOut, **ERRORS},
    url_name="booking_reschedule",
)
def reschedule(request, booking_id: uuid.UUID, payload: RescheduleIn):
    """Move a confirmed booking to another free slot, once, before the cancellation window."""
    found = _booking(request, booking_id)
    form = RescheduleForm({"starts_at": payload.starts_at.isoformat()})
    if not form.is_valid():
        raise form_errors(form)
    services.booking_reschedule(booking=found, by=request.auth.user, starts_at=form.cleaned_data["starts_at"])
    return _show(request, found)
