"""factory_boy factories for the product's models."""

from datetime import time, timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone as dj_timezone

from accounts.models import User
from mentors.models import Language, MentorProfile, Skill, WeeklyRule
from sessions.models import Booking, Offering
from sessions.previews import mentor_refresh_min_price


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Faker("name")
    timezone = "America/New_York"
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        self.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Skill {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class LanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Language
        django_get_or_create = ("code",)

    code = "en"
    name = "English"


class MentorFactory(factory.django.DjangoModelFactory):
    """An approved mentor in Berlin, free Monday to Friday 09:00–17:00 local time."""

    class Meta:
        model = MentorProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, timezone="Europe/Berlin")
    slug = factory.Sequence(lambda n: f"mentor-{n}")
    headline = "Staff engineer helping with career moves"
    bio = "I have hired **hundreds** of engineers."
    years_experience = 12
    timezone = "Europe/Berlin"
    status = MentorProfile.Status.APPROVED
    reviewed_at = factory.LazyFunction(dj_timezone.now)
    buffer_before = 0
    buffer_after = 0
    minimum_notice = 60
    horizon_days = 60
    max_sessions_per_day = 8

    @factory.post_generation
    def weekdays(self, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        for weekday in range(5):
            WeeklyRule.objects.create(mentor=self, weekday=weekday, start_time=time(9), end_time=time(17))


class OfferingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offering
        skip_postgeneration_save = True

    mentor = factory.SubFactory(MentorFactory)
    slug = factory.Sequence(lambda n: f"offering-{n}")
    title = "Should I take this job offer?"
    outcome = "A decision on one job offer"
    duration_minutes = 30
    price_amount = 0
    currency = "USD"
    prework_prompts = factory.LazyFunction(lambda: ["What are the options?", "What matters most to you?"])
    join_url = "https://meet.example.com/room"
    is_published = True

    @factory.post_generation
    def mentor_min_price(self, create, extracted, **kwargs):
        """What the offering services do with every change: keep the mentor's lowest price."""
        if create:
            mentor_refresh_min_price(mentor_id=self.mentor_id)
            self.mentor.refresh_from_db(fields=["min_published_price"])


class BookingFactory(factory.django.DjangoModelFactory):
    """A booking written directly (for set-up); product code books through services."""

    class Meta:
        model = Booking

    offering = factory.SubFactory(OfferingFactory)
    mentor = factory.SelfAttribute("offering.mentor")
    mentee = factory.SubFactory(UserFactory)
    starts_at = factory.LazyFunction(lambda: dj_timezone.now().replace(microsecond=0))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(minutes=o.offering.duration_minutes))
    state = Booking.State.CONFIRMED
    outcome = "A decision on one job offer"
    prework_answers = factory.LazyFunction(
        lambda: [{"prompt": "What are the options?", "answer": "Two offers"}]
    )
    price_amount = factory.SelfAttribute("offering.price_amount")
    currency = "USD"
    join_url = "https://meet.example.com/room"
