"""The shipped catalogues (locale/<lang>/LC_MESSAGES) are complete and in step with the source.

A shipped language has every message translated, none fuzzy, each translation with the
placeholders of its message; the compiled .mo says what its .po says; and the catalogues hold
exactly the messages the source marks today (extracted again, into a temporary folder, the way
`manage.py translations` does). When one fails: run `manage.py translations`, translate what it
added (docs/design/languages.md), and commit the .po and .mo files.
"""

from __future__ import annotations

import gettext
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from django.conf import settings

from core.management.commands.translations import IGNORED, make_messages, translated_languages

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "locale"
SHIPPED = translated_languages()
DOMAINS = ("django", "djangojs")
# A printf placeholder; "% " is not one (the space flag is never used here, "17 % off" is prose).
PRINTF = re.compile(r"%(?:\((?P<name>[^)]+)\))?[-#0+]*\d*(?:\.\d+)?(?P<kind>[diouxXeEfFgGcrsa%])")
BRACE = re.compile(r"(?<!\{)\{(?P<name>[^{}]*)\}(?!\})")


def catalogue(language: str, domain: str) -> Catalog | None:
    path = LOCALE / language / "LC_MESSAGES" / f"{domain}.po"
    if not path.exists():
        return None
    with path.open("rb") as file:
        return read_po(file, locale=language)


def messages(language: str, domain: str) -> list[Message]:
    found = catalogue(language, domain)
    return [message for message in found if message.id] if found is not None else []


def texts(value) -> list[str]:
    return list(value) if isinstance(value, list | tuple) else [value]


def label(message: Message) -> str:
    first = texts(message.id)[0]
    return f"{message.context}|{first}" if message.context else first


def printf_placeholders(text: str) -> list[str]:
    return sorted(
        f"%({match['name']}){match['kind']}" if match["name"] else f"%{match['kind']}"
        for match in PRINTF.finditer(text)
        if match["kind"] != "%"
    )


def brace_placeholders(text: str) -> list[str]:
    return sorted(match["name"] for match in BRACE.finditer(text))


@pytest.mark.parametrize("language", SHIPPED)
@pytest.mark.parametrize("domain", DOMAINS)
def test_every_message_of_a_shipped_language_is_translated_and_none_is_fuzzy(language, domain):
    untranslated = [label(m) for m in messages(language, domain) if not all(texts(m.string))]
    fuzzy = [label(m) for m in messages(language, domain) if m.fuzzy]
    assert not untranslated, f"{language}: {len(untranslated)} untranslated: {untranslated[:30]}"
    assert not fuzzy, f"{language}: {len(fuzzy)} fuzzy: {fuzzy[:30]}"


@pytest.mark.parametrize("language", SHIPPED)
@pytest.mark.parametrize("domain", DOMAINS)
def test_each_translation_keeps_the_placeholders_of_its_message(language, domain):
    wrong = []
    for message in messages(language, domain):
        plural = isinstance(message.id, list | tuple)
        for read, flag in (
            (printf_placeholders, "python-format"),
            (brace_placeholders, "python-brace-format"),
        ):
            if flag not in message.flags:
                continue
            # A plural's forms may drop the count ("one day": "un día") but never add or rename one.
            wanted = set(read(texts(message.id)[-1])) | set(read(texts(message.id)[0]))
            for written in texts(message.string):
                if not written:
                    continue
                found = read(written)
                if (set(found) - wanted) or (not plural and sorted(found) != sorted(read(message.id))):
                    wrong.append(f"{label(message)!r} -> {written!r}")
    assert not wrong, f"{language}: placeholders differ from the message's:\n" + "\n".join(wrong)


@pytest.mark.parametrize("language", SHIPPED)
@pytest.mark.parametrize("domain", DOMAINS)
def test_the_compiled_catalogue_says_what_its_source_says(language, domain):
    folder = LOCALE / language / "LC_MESSAGES"
    po, mo = folder / f"{domain}.po", folder / f"{domain}.mo"
    if not po.exists():
        assert not mo.exists(), f"{mo} has no {po.name}"
        return
    assert mo.exists(), f"{mo} is missing: run manage.py translations"
    with mo.open("rb") as file:
        compiled = gettext.GNUTranslations(file)._catalog  # noqa: SLF001 - what Django reads
    expected = {}
    for message in messages(language, domain):
        prefix = f"{message.context}\x04" if message.context else ""
        if message.fuzzy or not all(texts(message.string)):
            continue
        if isinstance(message.id, list | tuple):
            for index, form in enumerate(message.string):
                expected[(prefix + message.id[0], index)] = form
        else:
            expected[prefix + message.id] = message.string
    found = {key: value for key, value in compiled.items() if key != ""}
    stale = sorted(str(key) for key in expected.keys() ^ found.keys())
    stale += sorted(str(key) for key in expected.keys() & found.keys() if expected[key] != found[key])
    assert not stale, f"{mo} is stale against {po.name} (run manage.py translations): {stale[:20]}"


def _linked_source(into: Path) -> None:
    """The project's top level as links in `into`, but for the catalogues and what IGNORED skips."""
    skipped = {pattern.split("/")[0] for pattern in IGNORED} | {"locale", ".git", "node_modules"}
    for entry in ROOT.iterdir():
        if entry.name not in skipped and not entry.name.startswith("."):
            (into / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="needs GNU gettext (Debian: apt-get install gettext)"
)
def test_the_catalogues_hold_exactly_the_messages_the_source_marks(tmp_path, monkeypatch, settings):
    source = tmp_path / "source"
    source.mkdir()
    _linked_source(source)
    monkeypatch.chdir(source)
    settings.LOCALE_PATHS = [source / "locale"]
    language = SHIPPED[0]
    make_messages(languages=[language], symlinks=True)
    for domain in DOMAINS:
        fresh_path = source / "locale" / language / "LC_MESSAGES" / f"{domain}.po"
        fresh = set()
        if fresh_path.exists():
            with fresh_path.open("rb") as file:
                fresh = {(m.context, texts(m.id)[0]) for m in read_po(file) if m.id}
        for shipped in SHIPPED:
            held = {(m.context, texts(m.id)[0]) for m in messages(shipped, domain)}
            missing = sorted(f"{c}|{i}" if c else i for c, i in fresh - held)
            gone = sorted(f"{c}|{i}" if c else i for c, i in held - fresh)
            assert not missing and not gone, (
                f"locale/{shipped}/LC_MESSAGES/{domain}.po is out of date with the source; run "
                f"manage.py translations. Not in it yet ({len(missing)}): {missing[:20]}; "
                f"no longer in the source ({len(gone)}): {gone[:20]}"
            )
