"""factory_boy factories for cohorts: written directly for set-up; product code goes through services."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone as dj_timezone

from cohorts.models import Cohort, CohortEvent, Enrollment, Module
from tests.factories import MentorFactory, UserFactory


def _midnight(day, zone_name: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone_name))


class CohortFactory(factory.django.DjangoModelFactory):
    """A free draft cohort of an approved Berlin mentor, starting in four weeks, for four weeks."""

    class Meta:
        model = Cohort
        skip_postgeneration_save = True

    facilitator = factory.SubFactory(MentorFactory)
    slug = factory.Sequence(lambda n: f"cohort-{n}")
    title = "Ship your first side project"
    outcome = "A launched side project"
    description = "Four weeks, one **launch**."
    start_date = factory.LazyFunction(lambda: (dj_timezone.now() + timedelta(weeks=4)).date())
    weeks = 4
    timezone = "Europe/Berlin"
    seats_min = 2
    seats_max = 12
    price_amount = 0
    currency = "USD"
    enrollment_deadline = factory.LazyAttribute(
        lambda o: _midnight(o.start_date, o.timezone) - timedelta(days=2)
    )
    norms = "Be kind, be on time, give specific feedback."
    status = Cohort.Status.DRAFT

    class Params:
        published = factory.Trait(
            status=Cohort.Status.PUBLISHED, published_at=factory.LazyFunction(dj_timezone.now)
        )


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    cohort = factory.SubFactory(CohortFactory)
    week = 1
    title = factory.LazyAttribute(lambda o: f"Week {o.week} essentials")
    content = "Read this."
    assignment = "Write a one-page plan."
    release_at = factory.LazyAttribute(lambda o: o.cohort.starts_at + timedelta(weeks=o.week - 1))
    assignment_due_at = factory.LazyAttribute(lambda o: o.release_at + timedelta(days=5))


class CohortEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CohortEvent

    cohort = factory.SubFactory(CohortFactory)
    kind = CohortEvent.Kind.MODULE_SESSION
    title = ""
    starts_at = factory.LazyAttribute(lambda o: o.cohort.starts_at + timedelta(hours=18))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(minutes=60))
    join_url = "https://meet.example.com/cohort"


class EnrollmentFactory(factory.django.DjangoModelFactory):
    """An active member (a free seat) unless told otherwise."""

    class Meta:
        model = Enrollment

    cohort = factory.SubFactory(CohortFactory)
    member = factory.SubFactory(UserFactory)
    state = Enrollment.State.ACTIVE
    price_amount = factory.SelfAttribute("cohort.price_amount")
    currency = factory.SelfAttribute("cohort.currency")
    norms_accepted_at = factory.LazyFunction(dj_timezone.now)
    joined_at = factory.LazyFunction(dj_timezone.now)
