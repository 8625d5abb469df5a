"""The weekly retraining against the database: impressions → purchases → a model that ranks
only if it beats the active one on the held-out mentees."""

import random
from datetime import date, timedelta

import pytest
from django.utils import timezone

from matching import scoring, services
from matching.models import Impression, RankingModel
from sessions.models import Booking
from tests.factories import BookingFactory, MentorFactory, OfferingFactory, UserFactory

pytestmark = pytest.mark.django_db


def shown(user, mentor, text: float, day: date) -> Impression:
    signals = dict.fromkeys(scoring.SIGNAL_NAMES, 0.5) | {"text": text}
    return Impression.objects.create(
        user=user,
        kind="offering",
        object_id=mentor.pk,
        mentor=mentor,
        position=1,
        signals=signals,
        shown_on=day,
    )


def history(mentees=40, *, booking_share=0.8):
    """Mentees shown a relevant and an irrelevant mentor; most book the relevant one."""
    rng = random.Random(3)
    relevant, irrelevant = MentorFactory(), MentorFactory()
    offering = OfferingFactory(mentor=relevant)
    now = timezone.now().replace(microsecond=0)
    for i in range(mentees):
        mentee = UserFactory()
        shown(mentee, relevant, 0.9, now.date() - timedelta(days=3))
        shown(mentee, irrelevant, 0.1, now.date() - timedelta(days=3))
        if rng.random() < booking_share:
            BookingFactory(
                offering=offering,
                mentee=mentee,
                state=Booking.State.CONFIRMED,
                starts_at=now + timedelta(hours=i),
            )


def test_a_model_learned_from_outcomes_becomes_active():
    history()
    model = services.ranking_model_retrain()
    assert model.is_active and model.examples == 80
    assert model.weights["text"] > 0  # learned: the relevant mentor is the one booked
    assert "better" in model.note


def test_the_active_model_is_kept_when_the_new_one_is_worse_on_the_held_out_mentees():
    history(booking_share=1.0)  # everyone books the relevant mentor, nobody the other
    planted = RankingModel.objects.create(
        weights={"bias": -40.0, "text": 80.0}, is_active=True, note="planted"
    )
    model = services.ranking_model_retrain()
    assert not model.is_active and "kept the previous model" in model.note
    assert RankingModel.objects.get(is_active=True) == planted


def test_without_both_outcomes_nothing_is_trained():
    mentee, mentor = UserFactory(), MentorFactory()
    shown(mentee, mentor, 0.5, timezone.now().date())
    assert services.ranking_model_retrain() is None
    assert not RankingModel.objects.exists()
