"""Exchange rates: the pure conversion (minor units per currency, a missing rate is None), the
table staff keep, and its refresh from a configurable source (a local server here, never the
network): no request without a URL, bad answers change nothing and are logged."""

import json
import logging
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from core import exchange
from core.models import ExchangeRate
from core.money import convert
from core.tasks import refresh_exchange_rates
from tests.calendars.feed_server import FeedServer, Route

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "rates" / "usd.json"
RATES = {"USD": Decimal(1), "EUR": Decimal("0.92"), "JPY": Decimal("150.25"), "GBP": Decimal("0.79")}


@pytest.mark.parametrize(
    ("amount", "source", "target", "expected"),
    [
        (10000, "USD", "USD", 10000),  # the same currency needs no rate
        (10000, "USD", "EUR", 9200),  # $100 → €92.00
        (9200, "EUR", "USD", 10000),
        (10000, "USD", "JPY", 15025),  # $100 → ¥15,025: yen have no minor unit
        (15025, "JPY", "USD", 10000),
        (1000, "JPY", "EUR", 612),  # ¥1,000 → €6.12 (6.1231… rounded)
        (7900, "GBP", "EUR", 9200),  # through the base
        (0, "EUR", "USD", 0),
        (1, "USD", "EUR", 1),  # 0.92 cent rounds half up to 1
    ],
)
def test_convert_respects_each_currencys_minor_units(amount, source, target, expected):
    assert convert(amount, source, target, RATES) == expected


def test_convert_without_a_rate_is_none_never_a_guess():
    assert convert(10000, "USD", "INR", RATES) is None
    assert convert(10000, "INR", "USD", RATES) is None
    assert convert(10000, "EUR", "USD", {"EUR": Decimal(0), "USD": Decimal(1)}) is None


@pytest.fixture
def source(settings):
    server = FeedServer()
    server.start()
    settings.EXCHANGE_RATES_URL = server.url("/latest")
    settings.EXCHANGE_RATES_TIMEOUT = 0.5
    yield server
    server.stop()


def serve(server: FeedServer, body: bytes | str, **route) -> None:
    server.routes["/latest"] = Route(
        body=body.encode() if isinstance(body, str) else body, content_type="application/json", **route
    )


@pytest.mark.django_db
def test_the_task_refreshes_the_table_from_the_source_and_is_idempotent(source):
    serve(source, FIXTURE.read_bytes())
    assert refresh_exchange_rates() == 6
    assert refresh_exchange_rates() == 6
    assert ExchangeRate.objects.count() == 6
    eur = ExchangeRate.objects.get(currency="EUR")
    assert (eur.base, eur.rate, eur.as_of) == ("USD", Decimal("0.92"), date(2026, 12, 4))
    assert eur.source == source.url("/latest")
    table = exchange.rates()
    assert table["USD"] == 1 and table["JPY"] == Decimal("150.25")
    assert convert(10000, "USD", "EUR", table) == 9200


@pytest.mark.django_db
def test_no_url_means_no_request_and_the_table_is_what_staff_keep(settings, source):
    settings.EXCHANGE_RATES_URL = ""
    ExchangeRate.objects.create(currency="EUR", rate="0.9", as_of=date(2026, 12, 1), source="staff")
    assert refresh_exchange_rates() == 0
    assert source.requests == []
    assert exchange.rates()["EUR"] == Decimal("0.9")


BAD_ANSWERS = [
    ("not json", {}),
    ("[1, 2]", {}),
    (json.dumps({"base": "EUR", "date": "2026-12-04", "rates": {"USD": 1.08}}), {}),  # another base
    (json.dumps({"base": "USD", "date": "yesterday", "rates": {"EUR": 0.9}}), {}),
    (json.dumps({"base": "USD", "date": "2026-12-04", "rates": {}}), {}),
    (json.dumps({"base": "USD", "date": "2026-12-04", "rates": {"EUR": -1}}), {}),
    (json.dumps({"base": "USD", "date": "2026-12-04", "rates": {"EUR": 0}}), {}),
    (json.dumps({"base": "USD", "date": "2026-12-04", "rates": {"EUR": "NaN"}}), {}),
    (json.dumps({"base": "USD", "date": "2026-12-04", "rates": {"EUR": True}}), {}),
    (json.dumps({"base": "USD", "date": "2026-12-04", "rates": {"euro": 0.9}}), {}),
    (json.dumps({"base": "USD", "date": "2026-12-04", "rates": {"EUR": 0.9, "GBP": None}}), {}),
    ("{}", {"status": 500}),
    (FIXTURE.read_text(), {"status": 404}),
    (FIXTURE.read_text(), {"delay": 2.0}),  # slower than the timeout
]


@pytest.mark.django_db
@pytest.mark.parametrize(("body", "route"), BAD_ANSWERS)
def test_a_bad_answer_changes_nothing_and_is_logged(source, caplog, body, route):
    ExchangeRate.objects.create(currency="EUR", rate="0.9", as_of=date(2026, 12, 1), source="staff")
    serve(source, body, **route)
    with caplog.at_level(logging.WARNING, logger="core.exchange"):
        assert refresh_exchange_rates() == 0
    assert list(ExchangeRate.objects.values_list("currency", "rate")) == [("EUR", Decimal("0.9"))]
    assert "kept the table" in caplog.text


@pytest.mark.django_db
def test_a_later_rate_entered_by_staff_stands(source):
    ExchangeRate.objects.create(currency="EUR", rate="0.95", as_of=date(2026, 12, 5), source="staff")
    serve(source, FIXTURE.read_bytes())
    assert refresh_exchange_rates() == 5
    assert ExchangeRate.objects.get(currency="EUR").rate == Decimal("0.95")


@pytest.mark.django_db
def test_staff_edit_rates_in_the_admin(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/core/exchangerate/add/",
        {"currency": "EUR", "base": "USD", "rate": "0.93", "as_of": "2026-12-04"},
    )
    assert response.status_code == 302
    row = ExchangeRate.objects.get(currency="EUR")
    assert row.rate == Decimal("0.93") and row.source.startswith("staff: ")
    response = client.post(
        f"/admin/core/exchangerate/{row.pk}/change/",
        {"currency": "EUR", "base": "USD", "rate": "-1", "as_of": "2026-12-04"},
    )
    assert response.status_code == 200 and "greater than or equal to" in response.content.decode()
