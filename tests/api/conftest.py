import pytest

from api.models import ApiToken
from api.services import api_token_create
from tests.factories import OfferingFactory, UserFactory


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def token_of():
    """A new token of `user` (scope book unless told), as the header that sends it."""

    def make(user, scope=ApiToken.Scope.BOOK):
        _, raw = api_token_create(user=user, name="script", scope=scope)
        return bearer(raw)

    return make


@pytest.fixture
def free_offering(db):
    return OfferingFactory(slug="career-call", price_amount=0, cancellation_window_hours=24)


@pytest.fixture
def api_mentee(db):
    return UserFactory(timezone="America/New_York")
