"""Writes for matching: the intake, the cached ranking, what was shown and clicked, the model."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from mentors.models import Skill

from . import kept, learning, ranking, scoring, selectors, tasks
from .models import Impression, Intake, MatchPage, RankingModel, Recommendation

logger = logging.getLogger("matching")
RESULTS = ranking.TOP  # the main results, one per mentor
# The most places a page has: the main results and the labelled groups below them.
MAX_POSITIONS = 40
# A booking, seat or subscription with a mentor within this long after being shown counts as
# the impression's outcome when training.
OUTCOME_WINDOW = timedelta(days=14)
TRAINING_WINDOW = timedelta(days=180)


def intake_save(*, user: User, skills: Iterable[Skill], **fields: object) -> Intake:
    """Save the mentee's intake; their ranking is recomputed by a worker right after."""
    with transaction.atomic():
        intake, _ = Intake.objects.update_or_create(user=user, defaults=fields)
        intake.skills.set(skills)
        tasks.refresh_recommendations.delay_on_commit(user.pk)
    return intake


def recommendations_refresh_many(*, user_ids: list[int], now: datetime | None = None) -> int:
    """The nightly refresh of a batch of mentees: the catalogue (and every mentor's free time of
    the week) is read once for all of them."""
    known = selectors.catalogue(now=now, free_slots=True)
    for user_id in user_ids:
        recommendations_refresh(user_id=user_id, now=known.now, catalogue=known)
    return len(user_ids)


def recommendations_refresh(
    *, user_id: int, now: datetime | None = None, catalogue: selectors.Catalogue | None = None
) -> list[Recommendation]:
    """Rank everything for one mentee and replace their cached ranking (idempotent)."""
    now = now or timezone.now()
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return []
    intake = selectors.intake_of(user)
    need = selectors.need_from(intake, zone=user.zone)
    page = ranking.Page(main=())
    if not need.is_empty:
        known = catalogue or kept.cached_catalogue(now=now)
        met = selectors.mentors_met(user=user)
        need = selectors.need_from(intake, zone=user.zone, vocabulary=known.vocabulary, met=met)
        taken = selectors.already_taken(user=user, now=now)
        page = ranking.match(
            need,
            selectors.candidates_for(need=need, now=now, catalogue_=known),
            weights=selectors.active_weights(),
            limit=RESULTS,
            rates=known.rates,
            index=known.index,
            exclude=taken,
        )
    placed = [("main", "", list(page.main))] + [(g.key, g.label, list(g.items)) for g in page.groups]
    rows, groups, extras = [], [], {}
    position = 0
    for key, label, items in placed:
        positions = []
        for r in items[: MAX_POSITIONS - position]:
            position += 1
            positions.append(position)
            rows.append(_recommendation(user, position, r, now))
            extras[str(position)] = {
                "price": _converted(r, need),
                "more": [
                    {
                        "title": m.candidate.title[:200],
                        "url": m.candidate.url,
                        "kind": m.candidate.kind,
                        "price_amount": m.candidate.price,
                        "currency": m.candidate.currency,
                        "price": _converted(m, need),
                    }
                    for m in r.more
                ],
            }
        if positions:
            groups.append({"key": key, "label": label, "positions": positions})
    with transaction.atomic():
        Recommendation.objects.filter(user=user).delete()
        Recommendation.objects.bulk_create(rows)
        MatchPage.objects.update_or_create(
            user=user,
            defaults={"currency": need.currency, "groups": groups, "extras": extras, "computed_at": now},
        )
    return rows


def _converted(r: ranking.Ranked, need: scoring.Need) -> int | None:
    """The price to show beside the item's own ("≈ $145"): only when it is in another currency."""
    differs = r.candidate.currency != need.currency and r.candidate.price
    return r.price if differs else None


def _recommendation(user: User, position: int, r: ranking.Ranked, now: datetime) -> Recommendation:
    return Recommendation(
        user=user,
        position=position,
        kind=r.candidate.kind,
        object_id=r.candidate.id,
        mentor_id=r.candidate.mentor.id,
        title=r.candidate.title[:200],
        url=r.candidate.url,
        price_amount=r.candidate.price,
        currency=r.candidate.currency,
        score=r.score,
        signals=dict(zip(scoring.SIGNAL_NAMES, r.signals.vector(), strict=True)),
        reasons=list(r.reasons),
        explored=r.explored,
        computed_at=now,
    )


def recommendations_refresh_for_mentor(*, mentor_id: int) -> int:
    """A mentor's availability changed: mentees who were shown them get a fresh ranking."""
    users = list(
        Recommendation.objects.filter(mentor_id=mentor_id).values_list("user_id", flat=True).distinct()
    )
    for user_id in users:
        tasks.refresh_recommendations.delay(user_id)
    return len(users)


def impressions_log(*, user: User, recommendations: list[Recommendation], now: datetime | None = None) -> int:
    """What the mentee was shown today, once per thing per day (for training)."""
    today = (now or timezone.now()).date()
    rows = [
        Impression(
            user=user,
            kind=r.kind,
            object_id=r.object_id,
            mentor_id=r.mentor_id,
            position=r.position,
            signals=r.signals,
            explored=r.explored,
            shown_on=today,
        )
        for r in recommendations
    ]
    return len(Impression.objects.bulk_create(rows, ignore_conflicts=True))


def recommendation_click(
    *, user: User, position: int, counted: bool = True, now: datetime | None = None
) -> Recommendation | None:
    """The mentee opened one of their results: note it on today's impression when `counted`
    (the click came through our signed link), return where to go."""
    now = now or timezone.now()
    recommendation = Recommendation.objects.filter(user=user, position=position).first()
    if recommendation is None or not counted:
        return recommendation
    Impression.objects.filter(
        user=user,
        kind=recommendation.kind,
        object_id=recommendation.object_id,
        shown_on__gte=(now - OUTCOME_WINDOW).date(),
        clicked_at__isnull=True,
    ).update(clicked_at=now)
    return recommendation


def ranking_model_retrain(*, now: datetime | None = None) -> RankingModel | None:
    """Fit the logistic model on recent impressions (booked with that mentor within the outcome
    window, or not) and make it active only if it ranks the held-out mentees' bookings better
    than the active weights (learning.choose); the decision and its figures stay on the row."""
    now = now or timezone.now()
    examples = selectors.training_examples(since=now - TRAINING_WINDOW, window=OUTCOME_WINDOW)
    if len({e.booked for e in examples}) < 2:
        logger.info("not retraining: %s examples without both outcomes", len(examples))
        return None
    train, holdout = learning.split(examples)
    active = RankingModel.objects.filter(is_active=True).first()
    current = active.weights if active else scoring.DEFAULT_WEIGHTS
    candidate = learning.fit(train, prior=current, l2=learning.PRIOR_L2)
    decision = learning.choose(current, candidate, holdout)
    with transaction.atomic():
        model = RankingModel.objects.create(
            weights=candidate,
            examples=len(examples),
            holdout_log_loss=learning.finite(decision.candidate_log_loss),
            current_log_loss=learning.finite(decision.current_log_loss),
            note=decision.reason[:300],
            adopted=decision.adopted,
            verdict=decision.verdict,
            holdout_mentees=decision.mentees,
            current_ndcg=learning.finite(decision.current_ndcg),
            candidate_ndcg=learning.finite(decision.candidate_ndcg),
            difference_low=learning.finite(decision.interval[0]),
            difference_high=learning.finite(decision.interval[1]),
            gate={
                k: learning.finite(v) if isinstance(v, float) else v for k, v in decision.figures().items()
            },
            is_active=False,
        )
        if decision.adopted:
            RankingModel.objects.filter(is_active=True).update(is_active=False)
            model.is_active = True
            model.save(update_fields=["is_active"])
    logger.info("ranking model %s: %s", model.pk, decision.reason)
    return model
