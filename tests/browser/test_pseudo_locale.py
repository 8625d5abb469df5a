"""A pseudo-locale walk finds the English that no translation can reach.

Every message the catalogues hold is "translated" into a pseudo language: its letters accented
and the whole wrapped in ⟦…⟧ (placeholders and HTML kept). The walk's own data is written with
accented letters too (names, titles, bios, skills). So on a page shown in the pseudo language,
a word of plain ASCII letters outside the markers came from code: a string not marked for
translation (or marked but not extracted). The test lists them, page by page.
(docs/design/languages.md)
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import django
import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import Page

from sessions.previews import mentor_refresh_free_slots
from tests.browser.helpers import PASSWORD
from tests.cohorts.factories import CohortFactory, ModuleFactory
from tests.factories import BookingFactory, MentorFactory, OfferingFactory, SkillFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PSEUDO = "es"  # the language slot the pseudo catalogue takes (Babel then writes Spanish dates)
ACCENTS = str.maketrans("aeiouyAEIOUYcnsCNS", "áéîõüÿÁÉÎÕÜŸçñšÇÑŠ")
# Placeholders, HTML tags and entities pass through untouched.
KEEP = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdifr%]|\{[^{}]*\}|<[^>]+>|&[#\w]+;")
# Words a page may show in any language: brands, formats, and the language switcher's names.
ALLOWED = {
    "TheMentors", "Stripe", "Google", "LinkedIn", "JSON", "UTC", "GMT", "JPEG", "PNG", "WebP",
    "English", "Deutsch", "Español", "ICS", "Zoom", "Meet", "URL", "CSV", "PDF", "USD", "EUR", "GBP", "JPY",
    "Calendar", "Outlook", "iCloud",
}  # fmt: skip
# A time zone as the switcher names it (CLDR's words, not ours): "hora de Japón — Tokio (UTC+09:00)".
ZONE_LABEL = re.compile(r"\(UTC(?:[+−-]\d\d:\d\d)?\)\s*$")
ASCII_WORD = re.compile(r"(?<![\w@./:-])[A-Za-z]{2,}(?![\w@/:])")


def pseudo(text: str) -> str:
    parts, last = [], 0
    for match in KEEP.finditer(text):
        parts.append(text[last : match.start()].translate(ACCENTS))
        parts.append(match.group())
        last = match.end()
    parts.append(text[last:].translate(ACCENTS))
    return "⟦" + "".join(parts) + "⟧"


def sources() -> list[Path]:
    """Our catalogue, and those of Django and the apps we use (allauth, humanize…): their messages
    are pseudo too, so only text that never went through gettext stays plain."""
    found = [Path(settings.BASE_DIR) / "locale" / "de" / "LC_MESSAGES" / "django.po"]
    folders = [Path(django.__file__).parent / "conf" / "locale"]
    folders += [Path(config.path) / "locale" for config in apps.get_app_configs()]
    for folder in folders:
        candidate = folder / PSEUDO / "LC_MESSAGES" / "django.po"
        if candidate.exists() and candidate not in found:
            found.append(candidate)
    return found


def pseudo_catalogue(folder: Path) -> None:
    """Every message of the catalogues, in the pseudo language, compiled."""
    catalogue = Catalog(locale=PSEUDO)
    messages = []
    for path in sources():
        with path.open("rb") as file:
            messages += list(read_po(file))
    for message in messages:
        if not message.id or catalogue.get(message.id, context=message.context) is not None:
            continue
        if isinstance(message.id, list | tuple):
            forms = [pseudo(message.id[0])] + [pseudo(message.id[1])] * (catalogue.num_plurals - 1)
            catalogue.add(message.id, tuple(forms), context=message.context)
        else:
            catalogue.add(message.id, pseudo(message.id), context=message.context)
    target = folder / PSEUDO / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "django.mo").open("wb") as file:
        write_mo(file, catalogue)


def locale_words() -> set[str]:
    """Words Babel writes in dates for the pseudo language's slot ("lunes", "dic")."""
    locale = Locale.parse(PSEUDO)
    words = {"de", "a", "m", "p"}
    for table in (locale.months, locale.days):
        for context in table.values():
            for width in context.values():
                words.update(w.strip(".") for value in width.values() for w in value.split())
    return {w.lower() for w in words}


def english_left(text: str, known: set[str]) -> list[str]:
    outside = re.sub(r"⟦.*?⟧", " ", text, flags=re.S)
    found = []
    for line in outside.splitlines():
        if ZONE_LABEL.search(line):
            continue
        words = [
            w
            for w in ASCII_WORD.findall(line)
            if w not in ALLOWED and w.lower() not in known and not w.isupper()
        ]
        if words:
            found.append(line.strip()[:140])
    return found


def world():
    skill = SkillFactory(name="Pÿthön", slug="python")
    mentor = MentorFactory(
        user__display_name="Grëtä Höffmänn",
        user__email="greta@example.com",
        headline="Stäff éñgïñéér",
        bio="Ï hävé hïréd hüñdrédš öf éñgïñéérš.",
    )
    mentor.skills.add(skill)
    offering = OfferingFactory(
        mentor=mentor,
        title="Shöüld Ï täké thïš jöb öffér?",
        outcome="Ä déçïšïöñ",
        price_amount=4500,
        prework_prompts=["Whät äré thé öptïöñš?", "Whät mättéršmöšt?"],
    )
    mentor_refresh_free_slots(mentor_id=mentor.pk)
    cohort = CohortFactory(
        facilitator=mentor,
        title="Šhïp ït",
        outcome="Ä läüñçh",
        description="Föür wéékš.",
        norms="Bé kïñd, bé öñ tïmé.",
        published=True,
    )
    ModuleFactory(cohort=cohort, week=1, title="Wéék öñé")
    mentee = UserFactory(display_name="Lücïä Gärçíä", email="lucia@example.com")
    booking = BookingFactory(
        offering=offering,
        mentee=mentee,
        starts_at=(timezone.now() + timedelta(days=3)).replace(microsecond=0),
        outcome="Ä déçïšïöñ öñ öñé öffér",
        prework_answers=[{"prompt": "Whät äré thé öptïöñš?", "answer": "Twö öfférš"}],
    )
    return mentor, offering, cohort, mentee, booking


def test_no_page_of_the_journeys_shows_english_left_in_the_pseudo_language(live_server, page: Page, tmp_path):
    pseudo_catalogue(tmp_path)
    mentor, offering, cohort, mentee, booking = world()
    base = live_server.url
    known = locale_words()
    # The switcher's cookie (Chromium writes its own Accept-Language from its locale).
    language_cookie = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": PSEUDO, "url": base}]
    page.context.add_cookies(language_cookie)
    visitor_pages = [
        "/",
        "/mentors/",
        mentor.get_absolute_url(),
        offering.get_absolute_url(),
        "/cohorts/",
        cohort.get_absolute_url(),
        "/match/",
        "/accounts/login/",
        "/accounts/signup/",
        "/no-such-page/",
    ]
    member_pages = ["/dashboard/", booking.get_absolute_url(), "/settings/", "/settings/api/"]
    mentor_pages = [
        *("/dashboard/", "/mentor/availability/", "/mentor/profile/", "/mentor/offerings/"),
        *("/mentor/impact/", "/mentor/webhooks/", "/mentor/webhooks/new/", "/mentor/widget/"),
    ]
    left: dict[str, list[str]] = {}
    with override_settings(LOCALE_PATHS=[tmp_path, *settings.LOCALE_PATHS]):

        def walk(paths, who):
            for path in paths:
                page.goto(base + path)
                page.evaluate(
                    "document.querySelectorAll('pre').forEach((block) => block.remove())"
                )  # code samples
                text = page.locator("body").inner_text()
                assert "⟦" in text, f"{path}: not in the pseudo language"
                found = english_left(text, known)
                if found:
                    left[f"{path} ({who})"] = found

        walk(visitor_pages, "visitor")
        for person, paths, who in ((mentee, member_pages, "mentee"), (mentor.user, mentor_pages, "mentor")):
            page.context.clear_cookies()
            page.context.add_cookies(language_cookie)
            page.goto(f"{base}/accounts/login/")
            page.locator("input[name=login]").fill(person.email)
            page.locator("input[name=password]").fill(PASSWORD)
            page.locator("form.auth-form [type=submit]").click()
            page.wait_for_load_state()
            walk(paths, who)
    report = "\n".join(
        f"{path}\n" + "\n".join(f"    {line}" for line in lines) for path, lines in left.items()
    )
    assert not left, f"English left on {len(left)} pages in the pseudo language:\n{report}"
