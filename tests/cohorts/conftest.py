from datetime import timedelta

import pytest

from tests.cohorts.factories import CohortEventFactory, CohortFactory, ModuleFactory
from tests.factories import UserFactory


@pytest.fixture
def demo(settings):
    """The demo payment provider (DEBUG only), which emits the same events Stripe would."""
    settings.DEBUG = True
    settings.BILLING_PROVIDER = "demo"


@pytest.fixture
def paid_cohort(db):
    """A published cohort of 3 seats at 450.00, with a module and two weekly events."""
    cohort = CohortFactory(published=True, price_amount=45000, seats_min=2, seats_max=3)
    ModuleFactory(cohort=cohort, week=1)
    CohortEventFactory(cohort=cohort)
    CohortEventFactory(cohort=cohort, starts_at=cohort.starts_at + timedelta(days=7, hours=18))
    return cohort


@pytest.fixture
def free_cohort(db):
    cohort = CohortFactory(published=True, price_amount=0, seats_min=2, seats_max=3)
    ModuleFactory(cohort=cohort, week=1)
    CohortEventFactory(cohort=cohort)
    return cohort


@pytest.fixture
def people(db):
    """Five mentees with verified e-mail addresses."""
    return [UserFactory(timezone="America/New_York") for _ in range(5)]
