"""The page's language: the account's, else the switcher's cookie, else the browser's; the switcher
works without JavaScript and saves a signed-in person's choice; the page cache never serves one
language's page to another's visitor; dates, times and money are written as each language writes
them (core/dates.py, core/clock.py, core/money.py)."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.utils import translation

from accounts.models import User
from core import pagecache
from core.clock import viewer_clock
from core.dates import format_moment
from core.emails import templated_email
from core.money import format_money
from tests.factories import OfferingFactory, UserFactory

BERLIN = ZoneInfo("Europe/Berlin")
AT = datetime(2026, 3, 30, 12, 30, tzinfo=ZoneInfo("UTC"))  # Monday 30 March 2026, 14:30 in Berlin


def language_of(response) -> str:
    page = response.content.decode()
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


@pytest.mark.django_db
def test_a_visitor_reads_the_browsers_language_and_the_switchers_choice_wins(client):
    assert language_of(client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")) == "de"
    assert language_of(client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR")) == "en"  # not shipped: English
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="es-ES").content.decode()
    assert 'dir="ltr"' in page and ">Buscar un mentor</a>" in page and ">Find a mentor</a>" not in page
    assert '<option value="en" lang="en">English</option>' in page and ">Español</option>" in page

    response = client.post("/i18n/setlang/", {"language": "de", "next": "/cohorts/"})

    assert response.status_code == 302 and response["Location"] == "/cohorts/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    assert language_of(client.get("/", HTTP_ACCEPT_LANGUAGE="es-ES")) == "de"


@pytest.mark.django_db
def test_the_switcher_refuses_a_language_not_offered_and_a_foreign_next(client):
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "//evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.django_db
def test_a_signed_in_persons_saved_language_wins_over_their_browser(client):
    user = UserFactory(language="es")
    client.force_login(user)
    assert language_of(client.get("/settings/", HTTP_ACCEPT_LANGUAGE="de")) == "es"

    client.post("/i18n/setlang/", {"language": "de", "next": "/settings/"})

    assert User.objects.get(pk=user.pk).language == "de"
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    page = client.get("/settings/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="de"' in page and "Einstellungen" in page


@pytest.mark.django_db
def test_the_settings_page_saves_the_language_and_blank_follows_the_browser(client):
    user = UserFactory(language="de")
    client.force_login(user)
    data = {"display_name": "Nia", "timezone": "Europe/Madrid", "language": ""}

    assert client.post("/settings/", data).status_code == 302

    assert User.objects.get(pk=user.pk).language == ""
    assert language_of(client.get("/settings/", HTTP_ACCEPT_LANGUAGE="es-ES")) == "es"
    refused = client.post("/settings/", data | {"language": "xx"})
    assert refused.status_code == 400 and User.objects.get(pk=user.pk).language == ""


@pytest.mark.django_db
def test_a_page_cached_in_spanish_is_never_served_to_a_german_visitor(settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 300
    monkeypatch.setattr(pagecache, "CLOCK_MARGIN", 0.0)
    url = OfferingFactory().get_absolute_url()
    spanish = Client().get(url, HTTP_ACCEPT_LANGUAGE="es-ES")
    assert spanish[pagecache.HEADER] == "miss" and '<html lang="es"' in spanish.content.decode()
    assert "Accept-Language" in spanish["Vary"] and "Cookie" in spanish["Vary"]

    german = Client().get(url, HTTP_ACCEPT_LANGUAGE="de-DE")
    assert german[pagecache.HEADER] == "miss" and '<html lang="de"' in german.content.decode()

    # The switcher's cookie decides over the browser, and keys the cache the same way.
    switched = Client()
    switched.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    again = switched.get(url, HTTP_ACCEPT_LANGUAGE="de-DE")
    assert '<html lang="es"' in again.content.decode()
    assert Client().get(url, HTTP_ACCEPT_LANGUAGE="es-ES")[pagecache.HEADER] == "hit"


def render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template("{% load product %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            [
                "Monday 30 March 2026, 14:30",
                "30 Mar 2026",
                "Mon 30 Mar",
                "March 2026",
                "2026-03-30T14:30:00+02:00",
            ],
        ),
        (
            "es",
            [
                "lunes, 30 de marzo de 2026, 14:30",
                "30 mar 2026",
                "lun, 30 mar",
                "marzo de 2026",
                "2026-03-30T14:30:00+02:00",
            ],
        ),
        (
            "de",
            [
                "Montag, 30. März 2026, 14:30",
                "30. März 2026",
                "Mo., 30. März",
                "März 2026",
                "2026-03-30T14:30:00+02:00",
            ],
        ),
    ],
)
def test_the_date_filter_writes_each_kind_of_date_as_the_language_does(settings, language, expected):
    settings.TIME_ZONE = "Europe/Berlin"
    formats = ["l j F Y, H:i", "j M Y", "D j M", "F Y", "c"]
    source = " | ".join(f'{{{{ at|date:"{f}" }}}}' for f in formats)
    with translation.override(language):
        from django.utils import timezone  # noqa: PLC0415 - the zone the filter converts to

        with timezone.override(BERLIN):
            assert render(source, language, at=AT).split(" | ") == expected


def test_machine_formats_and_plain_dates_stay_exact():
    assert format_moment(date(2026, 3, 30), "Y-m-d", language="de") == "2026-03-30"
    assert format_moment(date(2026, 3, 30), "Y-m", language="es") == "2026-03"
    assert format_moment(date(2026, 3, 30), "j F", language="es") == "30 de marzo"


def test_the_clock_follows_the_browser_on_an_english_page_and_the_page_in_another_language():
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE="en-US")
    with translation.override("en"):
        assert viewer_clock(request).twelve_hour
    for header, language, twelve in [("en-US", "de", False), ("es-MX", "es", True), ("es-ES", "es", False)]:
        request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE=header)
        with translation.override(language):
            assert viewer_clock(request).twelve_hour is twelve, (header, language)


def test_the_clock_tag_writes_the_date_and_time_in_the_pages_language():
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE="en-US")
    tag = '{% clock at "D j M" zone %}'
    assert render(tag, "en", at=AT, zone=BERLIN, request=request) == "Mon 30 Mar, 2:30 pm"
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE="de-DE")
    assert render(tag, "de", at=AT, zone=BERLIN, request=request) == "Mo., 30. März, 14:30"
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE="es-MX")
    assert render(tag, "es", at=AT, zone=BERLIN, request=request) == "lun, 30 mar, 2:30 p.\u202fm."


def test_english_amounts_are_written_exactly_as_cldr_writes_them():
    """English skips Babel for the currencies the site knows (core.money): same text, every time."""
    from babel.numbers import format_currency

    from core.money import SYMBOLS, minor_units_per_major

    for currency in SYMBOLS:
        for amount in (1, 50, 99, 100, 101, 4550, 123456, 99999999, 100000000):
            major = Decimal(amount) / minor_units_per_major(currency)
            digits = "" if major == int(major) else ".00"
            expected = format_currency(
                major, currency, format=f"¤#,##0{digits}", locale="en", currency_digits=False
            )
            with translation.override("en"):
                assert format_money(amount, currency) == expected, (amount, currency)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["$45", "$45.50", "¥4,500", "€1,234.56", "Free"]),
        ("es", ["45\xa0US$", "45,50\xa0US$", "4.500\xa0JPY", "1.234,56\xa0€", "Gratis"]),
        ("de", ["45\xa0$", "45,50\xa0$", "4.500\xa0¥", "1.234,56\xa0€", "Kostenlos"]),
    ],
)
def test_money_is_written_in_the_readers_language_with_its_currencys_own_minor_units(language, expected):
    amounts = [(4500, "USD"), (4550, "USD"), (4500, "JPY"), (123456, "EUR"), (0, "USD")]
    with translation.override(language):
        assert [format_money(amount, currency) for amount, currency in amounts] == expected


@pytest.mark.django_db
def test_an_email_is_rendered_in_its_readers_language_subject_included():
    reader = UserFactory(language="de", display_name="Jonas")
    message = templated_email(
        template="accounts/email/new_device",
        subject=lambda: translation.gettext("A new sign-in to your TheMentors account"),
        to=[reader.email],
        context={"user": reader, "device": None, "sessions": "/s", "password": "/p"},
    )
    assert message.subject == "Neue Anmeldung bei deinem TheMentors-Konto"
    assert message.body.startswith("Hallo Jonas,") and "Wenn du das warst" in message.body
    english = UserFactory(language="")
    assert templated_email(
        template="accounts/email/new_device", subject="x", to=[english.email], context={"user": english}
    ).body.startswith("Hello")


@pytest.mark.django_db
def test_an_account_that_follows_its_browser_gets_its_emails_in_the_browsers_language(client):
    reader = UserFactory(language="", display_name="Lucía")
    client.force_login(reader)

    def new_device_email():
        return templated_email(
            template="accounts/email/new_device",
            subject=lambda: translation.gettext("A new sign-in to your TheMentors account"),
            to=[reader.email],
            context={"user": reader, "device": None, "sessions": "/s", "password": "/p"},
        )

    assert new_device_email().body.startswith("Hello")
    client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")
    assert new_device_email().body.startswith("Hola, Lucía:")
    # Their own language, once chosen, wins over the browser's; back to blank, the browser again.
    User.objects.filter(pk=reader.pk).update(language="de")
    assert new_device_email().subject == "Neue Anmeldung bei deinem TheMentors-Konto"
    User.objects.filter(pk=reader.pk).update(language="")
    client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en-GB")
    assert new_device_email().body.startswith("Hello")
    assert User.objects.get(pk=reader.pk).browser_language == ""
