"""What the API answers and takes, as pydantic schemas: the OpenAPI document is generated from
these. Money is in minor units with its currency (as Stripe and Cal.com give it); times are UTC
in ISO 8601, a slot's local time is given beside it in the zone asked for."""

import re
import uuid
from datetime import date, datetime
from typing import Annotated

from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema
from pydantic import AwareDatetime, BeforeValidator

NO_NUL = r"^[^\x00]*$"  # PostgreSQL's text cannot hold NUL; the forms refuse it too


ISO_DATE = re.compile(r"\A\d{4}-\d{2}-\d{2}\Z")
ISO_TIME = re.compile(r"\A\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})\Z")


def _iso(pattern: re.Pattern, message):
    """Only ISO 8601 text, as the document says: pydantic would also read a number of seconds."""

    def check(value):
        if not isinstance(value, str) or not pattern.match(value):
            raise ValueError(str(message))
        return value

    return BeforeValidator(check)


Day = Annotated[date, _iso(ISO_DATE, _("Give a day as YYYY-MM-DD."))]
Moment = Annotated[
    AwareDatetime,
    _iso(ISO_TIME, _("Give a time in ISO 8601 with its offset, e.g. 2026-12-07T10:00:00+01:00.")),
]


def text(max_length: int, *, min_length: int = 0):
    return Annotated[str, Field(max_length=max_length, min_length=min_length, pattern=NO_NUL)]


class Named(Schema):
    slug: str
    name: str


class LanguageOut(Schema):
    code: str
    name: str


class MentorOut(Schema):
    slug: str
    name: str
    headline: str
    timezone: str
    years_experience: int
    skills: list[Named]
    rating_average: float | None
    rating_count: int
    lowest_price_amount: int | None = Field(description="The cheapest published offering, minor units.")
    next_free_slot_at: datetime | None
    url: str


class OfferingOut(Schema):
    slug: str
    title: str
    outcome: str
    description: str
    mentor: str = Field(description="The mentor's slug.")
    mentor_name: str
    duration_minutes: int
    price_amount: int = Field(description="Minor units (cents); 0 is free.")
    currency: str
    is_free: bool
    is_intro: bool
    requires_approval: bool
    cancellation_window_hours: int
    prework_prompts: list[str]
    url: str


class MentorDetailOut(MentorOut):
    bio: str
    languages: list[LanguageOut]
    offerings: list[OfferingOut]


class SlotOut(Schema):
    starts_at: datetime
    ends_at: datetime
    local_starts_at: str = Field(description="The start in the zone asked for, ISO 8601 with offset.")


class SlotsOut(Schema):
    offering: str
    day: date
    timezone: str
    duration_minutes: int
    slots: list[SlotOut]


class CohortOut(Schema):
    slug: str
    title: str
    outcome: str
    facilitator: str = Field(description="The facilitating mentor's slug.")
    facilitator_name: str
    start_date: date
    weeks: int
    timezone: str
    price_amount: int
    currency: str
    seats_max: int
    seats_taken: int
    seats_left: int
    waitlist_count: int
    phase: str
    enrollment_deadline: datetime
    url: str


class BookingOut(Schema):
    id: uuid.UUID
    state: str
    state_label: str
    role: str = Field(description="Whether the token's person is the mentee or the mentor.")
    offering: str
    offering_title: str
    mentor: str
    mentor_name: str
    mentee_name: str
    starts_at: datetime
    ends_at: datetime
    price_amount: int
    currency: str
    outcome: str
    prework: list[dict[str, str]]
    join_url: str
    reschedule_count: int
    cancellation_deadline: datetime
    can_cancel: bool
    can_reschedule: bool
    url: str


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """A page of `item`s: `next` and `previous` are the URLs of the neighbouring pages."""
    return type(
        name,
        (Schema,),
        {
            "__annotations__": {
                "results": list[item],
                "limit": int,
                "offset": int,
                "next": str | None,
                "previous": str | None,
            }
        },
    )


MentorPage = page_of(MentorOut, "MentorPage")
OfferingPage = page_of(OfferingOut, "OfferingPage")
CohortPage = page_of(CohortOut, "CohortPage")
BookingPage = page_of(BookingOut, "BookingPage")


class BookIn(Schema):
    offering: text(100, min_length=1) = Field(description="The offering's slug.")
    starts_at: Moment = Field(description="One of the free slots, with its offset.")
    outcome: text(300) = Field(description="By the end of the session I will have…")
    prework_answers: list[text(2000)] = Field(
        default=[], max_length=10, description="One answer per pre-work prompt of the offering, in order."
    )
    context_notes: text(4000) = ""
    links: text(2000) = ""
    use_credit: bool = Field(default=False, description="Pay with a subscription credit.")
    use_pack: bool = Field(default=False, description="Pay with a session of a pack bought for it.")


class CancelIn(Schema):
    reason: text(300) = ""


class RescheduleIn(Schema):
    starts_at: Moment
