"""A Berlin mentor's offering and a New York mentee (tests/notifications/helpers.py books and
dispatches)."""

import pytest

from tests.factories import OfferingFactory, UserFactory


@pytest.fixture
def berlin_mentor_offering(db):
    """The factory mentor lives in Berlin and is free Monday to Friday 09:00–17:00 there."""
    return OfferingFactory(title="Should I take this job offer?")


@pytest.fixture
def new_york_mentee(db):
    return UserFactory(timezone="America/New_York", display_name="Nia")
