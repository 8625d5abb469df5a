"""The catalogue a worker keeps between refreshes: a change to what is on sale (published,
unpublished, repriced) is seen by the next refresh, and a warm refresh reads a fixed number of
rows whatever the catalogue's size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matching import services
from matching.models import Recommendation
from tests.factories import OfferingFactory, UserFactory
from tests.matching.test_ranking import intake_for, python, python_mentor  # noqa: F401

pytestmark = pytest.mark.django_db


def shown(mentee) -> dict[int, int]:
    services.recommendations_refresh(user_id=mentee.pk)
    return dict(Recommendation.objects.filter(user=mentee).values_list("object_id", "price_amount"))


def test_a_refresh_after_publishing_unpublishing_or_repricing_sees_the_change(python):  # noqa: F811
    mentee = UserFactory()
    intake_for(mentee, python)
    first = OfferingFactory(mentor=python_mentor(python), price_amount=4000)
    assert shown(mentee) == {first.pk: 4000}

    second = OfferingFactory(mentor=python_mentor(python), price_amount=3000)
    assert shown(mentee) == {first.pk: 4000, second.pk: 3000}

    first.price_amount = 4500
    first.save()
    assert shown(mentee) == {first.pk: 4500, second.pk: 3000}

    second.is_published = False
    second.save()
    assert shown(mentee) == {first.pk: 4500}

    second.is_published = True
    second.save()
    assert shown(mentee) == {first.pk: 4500, second.pk: 3000}


def test_a_warm_refresh_makes_the_same_number_of_queries_whatever_the_catalogue_size(python):  # noqa: F811
    mentee = UserFactory()
    intake_for(mentee, python)

    def warm_queries() -> int:
        services.recommendations_refresh(user_id=mentee.pk)  # builds and keeps the catalogue
        with CaptureQueriesContext(connection) as queries:
            services.recommendations_refresh(user_id=mentee.pk)
        return len(queries)

    for _ in range(2):
        OfferingFactory(mentor=python_mentor(python), price_amount=4000)
    small = warm_queries()
    for _ in range(12):
        OfferingFactory(mentor=python_mentor(python), price_amount=4000)
    assert warm_queries() == small
    assert small <= 25
