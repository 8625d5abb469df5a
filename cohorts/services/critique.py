"""Assignments and peer critique: members submit their work, the facilitator opens a module's
critique round (reviewers assigned round-robin among the submitters), members write their reviews."""

from __future__ import annotations

import random
import secrets
from typing import TYPE_CHECKING, TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import hooks
from ..models import Enrollment, Module, PeerReview, Submission
from .base import CohortError, State, require_facilitator

if TYPE_CHECKING:
    from accounts.models import User

REVIEWERS_PER_SUBMISSION = 2
Id = TypeVar("Id")  # an enrolment's id; anything sortable


def submission_save(*, module: Module, enrollment: Enrollment, text: str, links: str = "") -> Submission:
    """Submit or edit an assignment, until it is due."""
    now = timezone.now()
    if enrollment.cohort_id != module.cohort_id or enrollment.state != State.ACTIVE:
        raise CohortError(_("Only members can submit work."))
    if not module.assignment:
        raise CohortError(_("This module has no assignment."))
    if not module.is_released(now):
        raise CohortError(_("This module is not released yet."))
    if module.assignment_due_at and now >= module.assignment_due_at:
        raise CohortError(_("The assignment was due; it can no longer be changed."))
    if not text.strip():
        raise CohortError(_("Write your submission."), field="text")
    with transaction.atomic():
        submission, _created = Submission.objects.update_or_create(
            module=module, enrollment=enrollment, defaults={"text": text.strip(), "links": links.strip()}
        )
    return submission


def assign_reviewers(
    author_ids: list[Id], *, seed: int, per: int = REVIEWERS_PER_SUBMISSION
) -> dict[Id, list[Id]]:
    """Round-robin: shuffle the submitters with the seed, then each one's work goes to the next
    `per` people in that circle. Never oneself; everyone reviews exactly as many as they get;
    with 2 submitters each reviews the other, with 3 each reviews both others."""
    order = sorted(author_ids)
    random.Random(seed).shuffle(order)
    count = len(order)
    per = min(per, count - 1)
    return {author: [order[(i + k) % count] for k in range(1, per + 1)] for i, author in enumerate(order)}


def critique_round_open(*, module: Module, by: User, seed: int | None = None) -> list[PeerReview]:
    """Assign every submission of the module its reviewers (once): round-robin among the
    submitters; a lone submission is reviewed by up to two other members instead."""
    require_facilitator(by, module.cohort)
    with transaction.atomic():
        module = Module.objects.select_for_update().get(pk=module.pk)
        if module.critique_opened_at:
            raise CohortError(_("The critique round for this module is already open."))
        members = list(
            Enrollment.objects.filter(
                cohort_id=module.cohort_id, state__in=Enrollment.MEMBER_STATES
            ).values_list("pk", flat=True)
        )
        submissions = {
            s.enrollment_id: s for s in Submission.objects.filter(module=module, enrollment_id__in=members)
        }
        if not submissions or len(members) < 2:
            raise CohortError(_("A critique round needs a submission and another member to review it."))
        module.critique_seed = seed if seed is not None else secrets.randbelow(2**31)
        module.critique_opened_at = timezone.now()
        module.save(update_fields=["critique_seed", "critique_opened_at"])
        if len(submissions) >= 2:
            plan = assign_reviewers(list(submissions), seed=module.critique_seed)
        else:
            [author] = submissions
            others = sorted(m for m in members if m != author)
            random.Random(module.critique_seed).shuffle(others)
            plan = {author: others[:REVIEWERS_PER_SUBMISSION]}
        reviews = PeerReview.objects.bulk_create(
            [
                PeerReview(submission=submissions[author], reviewer_id=reviewer)
                for author, reviewers in plan.items()
                for reviewer in reviewers
            ]
        )
        reviewers = {review.reviewer_id for review in reviews}
        for enrollment in Enrollment.objects.filter(pk__in=reviewers):
            hooks.peer_reviews_assigned.call(enrollment=enrollment, module=module)
    return reviews


def peer_review_submit(
    *, review: PeerReview, by: User, what_works: str, suggestion: str, question: str
) -> PeerReview:
    if review.reviewer.member_id != by.pk:
        raise CohortError(_("This review is not yours to write."))
    fields = {
        "what_works": what_works.strip(),
        "suggestion": suggestion.strip(),
        "question": question.strip(),
    }
    for name, value in fields.items():
        if not value:
            raise CohortError(_("Fill in each part of the feedback."), field=name)
    with transaction.atomic():
        review = PeerReview.objects.select_for_update().get(pk=review.pk)
        for name, value in fields.items():
            setattr(review, name, value)
        review.submitted_at = review.submitted_at or timezone.now()
        review.save()
    return review
