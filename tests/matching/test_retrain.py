"""The weekly retraining against the database: impressions → purchases → a model that ranks
only if it ranks the held-out mentees' bookings better than the active weights, with the
decision and its figures kept on the model's row and shown in the admin."""

import random
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matching import learning, scoring, services
from matching.models import Impression, RankingModel
from sessions.models import Booking
from tests.factories import BookingFactory, MentorFactory, OfferingFactory, UserFactory

pytestmark = pytest.mark.django_db

# Enough mentees that the held-out fifth (by a hash of their id: 50 ± 7) is above the gate's minimum.
MENTEES = 250


def shown(user, mentor, day: date, **signals: float) -> Impression:
    return Impression.objects.create(
        user=user,
        kind="offering",
        object_id=mentor.pk,
        mentor=mentor,
        position=1,
        signals=dict.fromkeys(scoring.SIGNAL_NAMES, 0.5) | signals,
        shown_on=day,
    )


def history(mentees=MENTEES, *, booking_share=0.8, booked=None, other=None):
    """Mentees shown two mentors (with the signals given); most book the first."""
    booked = booked or {"text": 0.9}
    other = other or {"text": 0.1}
    rng = random.Random(3)
    chosen, passed_over = MentorFactory(), MentorFactory()
    offering = OfferingFactory(mentor=chosen)
    now = timezone.now().replace(microsecond=0)
    day = now.date() - timedelta(days=3)
    for i in range(mentees):
        mentee = UserFactory()
        shown(mentee, chosen, day, **booked)
        shown(mentee, passed_over, day, **other)
        if rng.random() < booking_share:
            BookingFactory(
                offering=offering,
                mentee=mentee,
                state=Booking.State.CONFIRMED,
                starts_at=now + timedelta(hours=i),
            )


# Mentees book the mentor with free time inside their hours over the one whose words match more:
# the default weights put the wordier one first.
FREE_BUT_FEWER_WORDS = {"text": 0.3, "availability": 1.0}
WORDY_BUT_BUSY = {"text": 0.9, "availability": 0.0}


def test_a_model_that_ranks_the_booked_mentor_higher_becomes_active_with_its_figures():
    history(booking_share=1.0, booked=FREE_BUT_FEWER_WORDS, other=WORDY_BUT_BUSY)

    model = services.ranking_model_retrain()

    assert model.is_active and model.adopted, model.note
    assert model.examples == 2 * MENTEES
    assert model.weights["availability"] > 0
    assert model.holdout_mentees >= learning.MIN_HOLDOUT_MENTEES
    assert model.candidate_ndcg == pytest.approx(1.0)  # the booked mentor first for every mentee
    assert model.current_ndcg == pytest.approx(1 / learning.math.log2(3))  # second with the defaults
    assert 0 < model.difference_low <= model.difference_high
    assert model.verdict == "ranks better"
    assert model.note.startswith("adopted: ranks better — NDCG@10 1.000 against 0.631")
    assert model.current_log_loss > 0 and model.holdout_log_loss > 0
    assert model.gate["candidate_hit_rate"] == 1.0 and model.gate["metric"] == "NDCG@10"


def test_the_active_model_is_kept_when_the_new_one_ranks_no_better_however_its_log_loss():
    history(booking_share=1.0)  # everyone books the relevant mentor, nobody the other
    # Ranks the relevant mentor first, but says nobody books anything: a terrible log-loss.
    planted = RankingModel.objects.create(
        weights={"bias": -40.0, "text": 10.0}, is_active=True, note="planted"
    )

    model = services.ranking_model_retrain()

    assert not model.is_active and not model.adopted
    assert model.holdout_log_loss < model.current_log_loss  # the old gate would have taken it
    assert model.difference_low == model.difference_high == 0
    assert model.verdict == "not surely a better ranking"
    assert model.note.startswith("kept the current weights: not surely a better ranking")
    assert RankingModel.objects.get(is_active=True) == planted


def test_too_little_held_out_data_keeps_the_current_weights_and_records_why():
    history(mentees=20, booked=FREE_BUT_FEWER_WORDS, other=WORDY_BUT_BUSY)

    model = services.ranking_model_retrain()

    assert not model.is_active and not model.adopted
    assert model.holdout_mentees < learning.MIN_HOLDOUT_MENTEES
    assert model.verdict == "too little held-out data"
    assert model.note.startswith("kept the current weights: too little held-out data")
    assert model.difference_low is None and model.difference_high is None
    assert not RankingModel.objects.filter(is_active=True).exists()  # the defaults still rank


def test_without_both_outcomes_nothing_is_trained():
    mentee, mentor = UserFactory(), MentorFactory()
    shown(mentee, mentor, timezone.now().date())
    assert services.ranking_model_retrain() is None
    assert not RankingModel.objects.exists()


def gated_model(**figures) -> RankingModel:
    return RankingModel.objects.create(
        weights={"bias": -3.0, "availability": 2.5},
        examples=440,
        adopted=True,
        is_active=True,
        verdict="ranks better",
        note="adopted: ranks better — NDCG@10 1.000 against 0.631 on 44 held-out mentees",
        holdout_mentees=44,
        current_ndcg=0.6309,
        candidate_ndcg=1.0,
        difference_low=0.312,
        difference_high=0.369,
        current_log_loss=0.9123,
        holdout_log_loss=0.4567,
        **figures,
    )


def test_the_admin_list_shows_whether_each_model_was_adopted_why_and_on_what_figures(admin_client):
    gated_model()
    RankingModel.objects.create(
        weights={"bias": -4.0},
        verdict="too little held-out data",
        note="kept the current weights: too little held-out data (12 held-out mentees with a booking "
        "among what they were shown; 30 needed)",
    )
    RankingModel.objects.create(weights={"bias": -4.0}, adopted=True, note="better than the previous model")

    page = admin_client.get(reverse("admin:matching_rankingmodel_changelist")).content.decode()

    assert "Adopted?" in page  # the column
    assert "yes — ranks better" in page
    assert "no — too little held-out data" in page
    assert "yes — better than the previous model" in page  # trained before the ranking gate
    assert "0.631 → 1.000" in page
    assert "+0.312 to +0.369" in page
    assert "0.9123 → 0.4567" in page


def test_the_admin_page_of_a_model_shows_its_gate_figures_read_only(admin_client):
    model = gated_model(gate={"current_hit_rate": 1.0, "candidate_hit_rate": 1.0})

    page = admin_client.get(reverse("admin:matching_rankingmodel_change", args=[model.pk])).content.decode()

    for label in (
        "Decision",
        "Why",
        "NDCG@10 of the current weights",
        "NDCG@10 of this model",
        "Held-out mentees",
    ):
        assert label in page
    assert "adopted: ranks better — NDCG@10 1.000 against 0.631 on 44 held-out mentees" in page
    for figure in ("0.6309", "+0.312 to +0.369", "0.9123", "0.4567", "candidate_hit_rate"):
        assert figure in page
    assert 'name="_save"' not in page and 'name="note"' not in page  # read only
