"""The directory's `?q=` search (docs/design/search.md).

On PostgreSQL: full-text search over `MentorProfile.search_document`, a weighted tsvector that
the database keeps up to date (sessions/migrations/0008_mentor_search_document.py) and a GIN
index serves. Every word typed must match (stemmed: "designers" finds "design"); a word of three
letters or more also matches as the start of a word ("desig" finds "design"), so the results
follow the visitor as they type. The "Best match" order ranks by `ts_rank` (headline over skills
and name, over offering titles, over bio) the RANKED best-rated matches: ranking every match of
a common word ("design" matches 84 % of the benchmark's mentors) would grow with the directory.

What was typed never becomes tsquery syntax: each whitespace-separated chunk is quoted as one
term (`tsquery_text`), so `&`, `|`, `!`, `:*`, parentheses and quotes are only characters that
PostgreSQL's parser drops between words.

On SQLite (the demo's embedded database, tens of mentors): every word must appear, as a
substring, in the headline, the name, the bio, a skill or a published offering's title.
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQueryField, SearchRank
from django.db import connection
from django.db.models import BooleanField, Case, Exists, F, Func, OuterRef, Q, QuerySet, Value, When
from django.db.models.expressions import BaseExpression

from mentors.models import MentorProfile, Skill
from sessions.models import Offering

MAX_WORDS = 10
RANKED = 200  # the best-rated matches ranked by relevance (10 pages): a page's cost stays flat
PREFIX_FROM_LETTERS = 3


class WordsQuery(Func):
    """`to_tsquery('english', …)` of `tsquery_text(text)`, a literal the planner sees (its
    selectivity is estimated from the column's statistics: a common word walks the rating index,
    a rare one the GIN index)."""

    template = "to_tsquery('english'::regconfig, %(expressions)s)"
    output_field = SearchQueryField()


def tsquery_text(text: str) -> str:
    """What was typed as tsquery syntax that only ever ANDs quoted words: each whitespace-separated
    chunk becomes one quoted term (backslashes and quotes escaped), `:*` from three characters on.
    PostgreSQL's parser then splits a chunk as it split the document ("node.js" stays one word,
    "front-end" is also "front" and "end"); punctuation alone yields no word and is dropped."""
    terms = []
    for chunk in text.split()[:MAX_WORDS]:
        quoted = chunk.replace("\\", "\\\\").replace("'", "''")
        terms.append(f"'{quoted}'" + (":*" if len(chunk) >= PREFIX_FROM_LETTERS else ""))
    return " & ".join(terms)


class Matches(Func):
    """`document @@ query`, as a condition."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)[:MAX_WORDS]


def mentors_matching(
    queryset: QuerySet[MentorProfile], text: str, *, order: list | None, best_rated: list
) -> QuerySet[MentorProfile] | RankedFirst:
    """The mentors of `queryset` (already filtered) matching every word of `text`: in `order`, or
    for None ("Best match") the most relevant first, then by `best_rated`.

    On PostgreSQL "Best match" ranks only the RANKED best-rated matches by relevance, then lists
    the other matches by rating (`RankedFirst`): a page costs the same however many mentors a
    common word matches."""
    if connection.vendor != "postgresql":
        matches = _substrings(queryset, text)
        return matches.order_by(*(order or ["-relevance", *best_rated]), "pk")
    document, words = F("search_document"), WordsQuery(Value(tsquery_text(text)))
    matches = queryset.filter(Matches(document, words))
    if order:
        return matches.order_by(*order, "pk")
    by_rating = matches.order_by(*best_rated, "pk")
    ranked = (
        queryset.filter(pk__in=by_rating.values("pk")[:RANKED])
        .alias(relevance=SearchRank(document, words))
        .order_by("-relevance", *best_rated, "pk")
    )
    return RankedFirst(ranked=ranked, rest=by_rating, count=RANKED)


class RankedFirst:
    """Matches to slice as one list: the first `count` are `ranked` (the `count` first of `rest`,
    in another order), then `rest` from `count` on. Only the slices a page asks for are read."""

    def __init__(self, *, ranked: QuerySet, rest: QuerySet, count: int) -> None:
        self.ranked, self.rest, self.count = ranked, rest, count

    def __getitem__(self, window: slice) -> list:
        start, stop = window.start or 0, window.stop
        rows = list(self.ranked[start : min(stop, self.count)]) if start < self.count else []
        if stop > self.count and (start >= self.count or len(rows) == self.count - start):
            rows += list(self.rest[max(start, self.count) : stop])
        return rows


def _substrings(queryset: QuerySet[MentorProfile], text: str) -> QuerySet[MentorProfile]:
    words = _words(text)
    if not words:
        return queryset.alias(relevance=Value(0)).none()
    relevance: BaseExpression = Value(0)
    for word in words:
        skill = Exists(Skill.objects.filter(mentors=OuterRef("pk"), name__icontains=word))
        offering = Exists(
            Offering.objects.filter(mentor=OuterRef("pk"), is_published=True, title__icontains=word)
        )
        headline, name = Q(headline__icontains=word), Q(user__display_name__icontains=word)
        queryset = queryset.filter(headline | skill | name | offering | Q(bio__icontains=word))
        relevance = (
            relevance
            + Case(When(headline, then=Value(4)), default=Value(0))
            + Case(When(skill, then=Value(3)), default=Value(0))
            + Case(When(name, then=Value(3)), default=Value(0))
            + Case(When(offering, then=Value(2)), default=Value(0))
            + Case(When(bio__icontains=word, then=Value(1)), default=Value(0))
        )
    return queryset.alias(relevance=relevance)
