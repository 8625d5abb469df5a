"""Peer-critique rounds: reviewers assigned round-robin, structured feedback, author sees it."""

from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from cohorts import services
from cohorts.models import PeerReview
from tests.cohorts.factories import CohortFactory, EnrollmentFactory, ModuleFactory


@pytest.mark.parametrize("count", [2, 3, 4, 5, 7, 12])
@pytest.mark.parametrize("seed", [0, 1, 42])
def test_round_robin_never_self_balanced_and_two_each_when_possible(count, seed):
    authors = [f"member-{n}" for n in range(count)]
    plan = services.assign_reviewers(authors, seed=seed)
    per = min(2, count - 1)
    assert set(plan) == set(authors)
    for author, reviewers in plan.items():
        assert author not in reviewers
        assert len(set(reviewers)) == len(reviewers) == per
    load = Counter(reviewer for reviewers in plan.values() for reviewer in reviewers)
    assert set(load.values()) == {per}


def test_the_same_seed_gives_the_same_assignment_and_another_seed_may_not():
    authors = list(range(8))
    assert services.assign_reviewers(authors, seed=7) == services.assign_reviewers(
        list(reversed(authors)), seed=7
    )
    assert any(
        services.assign_reviewers(authors, seed=s) != services.assign_reviewers(authors, seed=7)
        for s in range(5)
    )


def test_a_single_submission_gets_no_reviewers():
    assert services.assign_reviewers(["only"], seed=1) == {"only": []}


@pytest.fixture
def running(db):
    cohort = CohortFactory(published=True)
    module = ModuleFactory(cohort=cohort, week=1)
    members = [EnrollmentFactory(cohort=cohort) for _ in range(3)]
    return cohort, module, members


def test_a_round_assigns_reviews_members_write_them_and_authors_read_them(
    running, client, django_capture_on_commit_callbacks
):
    cohort, module, members = running
    facilitator = cohort.facilitator.user
    with time_machine.travel(module.release_at + timedelta(hours=1)):
        for enrollment in members:
            services.submission_save(
                module=module, enrollment=enrollment, text=f"Plan of {enrollment.member.name}"
            )
        with django_capture_on_commit_callbacks(execute=True):
            reviews = services.critique_round_open(module=module, by=facilitator, seed=3)
        assert len(reviews) == 6
        with pytest.raises(services.CohortError, match="already open"):
            services.critique_round_open(module=module, by=facilitator)
        review = (
            PeerReview.objects.filter(reviewer=members[0]).select_related("submission__enrollment").first()
        )
        client.force_login(members[0].member)
        url = reverse("cohorts:peer_review", args=[cohort.slug, review.pk])
        assert (
            client.post(url, {"what_works": "Clear", "suggestion": "", "question": "Why?"}).status_code == 400
        )
        response = client.post(
            url, {"what_works": "Clear goal", "suggestion": "Cut scope", "question": "Who pays?"}
        )
        assert response.status_code == 302
        author = review.submission.enrollment
        client.force_login(author.member)
        page = client.get(reverse("cohorts:space", args=[cohort.slug])).content.decode()
        assert "Cut scope" in page and "Who pays?" in page
        # Someone else's review is not theirs to open.
        other = PeerReview.objects.exclude(reviewer=author).filter(submission__enrollment=author).first()
        assert (
            other is None
            or client.get(reverse("cohorts:peer_review", args=[cohort.slug, other.pk])).status_code == 404
        )


def test_a_round_needs_a_submission_and_only_the_facilitator_opens_it(running):
    cohort, module, members = running
    with time_machine.travel(module.release_at + timedelta(hours=1)):
        with pytest.raises(services.CohortError, match="needs a submission"):
            services.critique_round_open(module=module, by=cohort.facilitator.user)
        services.submission_save(module=module, enrollment=members[0], text="Mine")
        with pytest.raises(services.CohortError, match="Only the facilitator"):
            services.critique_round_open(module=module, by=members[1].member)


def test_a_lone_submission_is_reviewed_by_two_other_members(running):
    cohort, module, members = running
    with time_machine.travel(module.release_at + timedelta(hours=1)):
        services.submission_save(module=module, enrollment=members[0], text="Mine")
        reviews = services.critique_round_open(module=module, by=cohort.facilitator.user, seed=1)
    assert sorted(r.reviewer_id for r in reviews) == sorted(m.pk for m in members[1:])
    assert {r.submission.enrollment_id for r in reviews} == {members[0].pk}


def test_submissions_can_be_edited_until_due_and_not_after(running):
    cohort, module, members = running
    with time_machine.travel(module.release_at - timedelta(hours=1)):
        with pytest.raises(services.CohortError, match="not released"):
            services.submission_save(module=module, enrollment=members[0], text="Early")
    with time_machine.travel(module.release_at + timedelta(hours=1)):
        services.submission_save(module=module, enrollment=members[0], text="First")
        services.submission_save(
            module=module, enrollment=members[0], text="Second", links="https://x.example"
        )
    assert module.submissions.get().text == "Second"
    with time_machine.travel(module.assignment_due_at + timedelta(minutes=1)):
        with pytest.raises(services.CohortError, match="was due"):
            services.submission_save(module=module, enrollment=members[0], text="Late")
    assert module.submissions.get().text == "Second"
