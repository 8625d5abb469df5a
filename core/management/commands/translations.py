"""`manage.py translations`: bring every shipped catalogue (locale/<lang>/LC_MESSAGES) up to date
with the source, then compile it.

Runs `makemessages` for every language in settings.LANGUAGES but the source language, without
file locations (so a moved string does not rewrite the catalogue), dropping messages the source
no longer has, and without msgmerge's fuzzy guesses: a new message arrives untranslated, which
tests/core/test_translations.py refuses until someone translates it. Then `compilemessages`.
Needs GNU gettext (Debian's `gettext`), as Django's own commands do.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.core.management.commands import makemessages

# Not the product: where the tools, the tests and the build output live.
IGNORED = [".venv/*", ".tools/*", "tests/*", "bench/*", "build/*", "var/*", "staticfiles/*", "docs/*"]


class MakeMessages(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]


def translated_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def make_messages(*, languages: list[str], verbosity: int = 0, symlinks: bool = False) -> None:
    """Extract every marked message into settings.LOCALE_PATHS[0] (tests/core/test_translations.py
    extracts into a temporary copy the same way: `symlinks` lets it walk a folder of links)."""
    for domain in ("django", "djangojs"):
        call_command(
            MakeMessages(),
            locale=languages,
            domain=domain,
            ignore_patterns=IGNORED,
            no_location=True,
            no_obsolete=True,
            symlinks=symlinks,
            verbosity=verbosity,
        )
    for catalogue in Path(settings.LOCALE_PATHS[0]).glob("*/LC_MESSAGES/*.po"):
        # The extraction date changes on every run: without it, a run that finds nothing new
        # leaves the catalogue as it was.
        text = catalogue.read_text()
        catalogue.write_text(re.sub(r'"POT-Creation-Date: [^"]*"\n', "", text))


class Command(BaseCommand):
    help = "Update locale/*/LC_MESSAGES/django.po from the source and compile them."

    def handle(self, *args, **options):
        languages = translated_languages()
        make_messages(languages=languages, verbosity=options["verbosity"])
        call_command(
            "compilemessages", locale=languages, ignore_patterns=IGNORED, verbosity=options["verbosity"]
        )
