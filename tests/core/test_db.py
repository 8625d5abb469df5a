"""core.db.EpochSeconds: datetimes read as whole epoch seconds, on PostgreSQL and on SQLite."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model

from core.db import EpochSeconds
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("moment", "down", "up"),
    [
        (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), 1792890000, 1792890000),
        (datetime(2026, 10, 25, 1, 0, 0, 400, tzinfo=UTC), 1792890000, 1792890001),
        (datetime(2026, 10, 25, 0, 59, 59, 999999, tzinfo=UTC), 1792889999, 1792890000),
    ],
)
def test_a_moment_reads_as_epoch_seconds_rounded_outward(moment, down, up):
    user = UserFactory(date_joined=moment)

    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values_list(EpochSeconds("date_joined"), EpochSeconds("date_joined", up=True))
    )

    assert row.get() == (down, up)
    assert down == int(moment.replace(microsecond=0).timestamp())
