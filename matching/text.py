"""A need's and a candidate's words, as the ranking reads them (pure: no database); BM25 over
them is matching.ranking.Index."""

from __future__ import annotations

import re
from functools import lru_cache

WORD = re.compile(r"[a-z0-9][a-z0-9+#.]*[a-z0-9+#]|[a-z0-9]")
# "don't" reads "do not", "I'm" reads "I", "mentor's" reads "mentor": the clitic is no word of its own.
NOT = re.compile(r"n['\u2019]t\b")
CLITIC = re.compile(r"['\u2019](?:m|s|re|ve|ll|d)\b")
_STOP_WORDS = """
    a about after again all also am an and any are as at be because been before being but by can
    cannot could did do does doing don done each even ever for from get getting go going got had
    has have having he her here him his how i id if im in into is it its ive just know like ll
    make me more most much my myself need new no not now of off on one only or other our out over
    really re she should so some such take than that the their them then there these they this
    those through to too up us ve very want was way we well were what when where which while who
    why will with would yet you your
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())


def words(text: str) -> list[str]:
    """The text's meaningful words: lower-cased, without stop words, contractions' clitics or
    one-letter pieces (so a reason never says "m" because someone wrote "I'm")."""
    text = CLITIC.sub("", NOT.sub(" not", (text or "").lower()))
    return [w for w in WORD.findall(text) if len(w) > 1 and w not in STOP_WORDS]


@lru_cache(maxsize=100_000)
def document(text: str) -> tuple[str, ...]:
    """A profile's or an item's words, kept: the same ones are ranked for every mentee (100,000:
    the mentors and items of the benchmark at 4x its size, twice over)."""
    return tuple(words(text))


def skills_in_text(text: str, vocabulary: dict[str, tuple[str, ...]]) -> frozenset[str]:
    """The skills (slugs) whose name or synonyms the text says: "my first ml model" names
    machine-learning when "ml" is one of its synonyms. Words are compared without a plural s."""
    said = [_stem(w) for w in words(text)]
    found = set()
    for slug, phrases in vocabulary.items():
        for phrase in phrases:
            wanted = [_stem(w) for w in words(phrase)]
            if wanted and any(said[i : i + len(wanted)] == wanted for i in range(len(said))):
                found.add(slug)
                break
    return frozenset(found)


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word
