"""Each ranking signal and the reasons, on hand-made mentors and needs (no database)."""

from datetime import time
from zoneinfo import ZoneInfo

import pytest

from matching import ranking, scoring
from matching.scoring import Candidate, Mentor, Need, Platform

NEW_YORK = ZoneInfo("America/New_York")


def mentor(pk=1, **fields) -> Mentor:
    values = {
        "id": pk,
        "name": f"Mentor {pk}",
        "text": "Staff engineer. I help with hiring loops and Python career moves.",
        "skills": frozenset({"python", "hiring"}),
        "skill_names": {"python": "Python", "hiring": "Hiring"},
        "languages": frozenset({"en"}),
        "rating_average": 4.8,
        "rating_count": 40,
        "items_done": 30,
        "items_total": 40,
        "mentees": 30,
        "returning_mentees": 12,
        "free_slots_in_hours": 4,
    }
    values.update(fields)
    return Mentor(**values)


def candidate(
    m: Mentor, pk=1, *, kind="offering", price=4500, title="Mock hiring interview", text=""
) -> Candidate:
    return Candidate(
        kind=kind, id=pk, mentor=m, title=title, text=text, url=f"/o/{pk}/", price=price, currency="USD"
    )


def need(**fields) -> Need:
    values = {
        "text": "I need help preparing for hiring interviews",
        "skills": frozenset({"python"}),
        "zone": NEW_YORK,
    }
    values.update(fields)
    return Need(**values)


def test_text_relevance_prefers_the_mentor_whose_words_match():
    relevant = mentor(1)
    other = mentor(
        2,
        text="Watercolour painting and portfolio reviews.",
        skills=frozenset({"art"}),
        skill_names={"art": "Art"},
    )
    ranked = ranking.rank(
        need(skills=frozenset()),
        [candidate(other, 2, title="Portfolio review"), candidate(relevant, 1)],
        explore=False,
    )
    # The painter has nothing in common with the need: not shown at all (see test_constraints).
    assert [r.candidate.mentor.id for r in ranked] == [1]
    assert ranked[0].signals.text == 1.0


def test_shared_skills_are_the_share_of_the_mentees_skills():
    platform = Platform()
    s = scoring.signals_for(
        need(skills=frozenset({"python", "sql"})), candidate(mentor()), platform, text_score=0
    )
    assert s.skills == 0.5


@pytest.mark.parametrize(
    ("price", "budget", "fit"),
    [
        (0, 5000, 1.0),
        (4000, 5000, 0.76),
        (5000, 5000, 0.7),
        (7500, 5000, 0.35),
        (10000, 5000, 0.0),
        (12000, 5000, 0.0),
        (4500, None, 0.5),
        (0, 0, 1.0),
        (100, 0, 0.0),
    ],
)
def test_price_fits_best_when_cheapest_within_budget_and_falls_to_nothing_at_twice_it(price, budget, fit):
    assert scoring.price_fit(candidate(mentor(), price=price), need(budget=budget)) == pytest.approx(fit)


def test_a_price_in_another_currency_is_neither_in_nor_over_budget():
    euro = Candidate(
        kind="offering", id=1, mentor=mentor(), title="x", text="", url="/", price=100, currency="EUR"
    )
    assert scoring.price_fit(euro, need(budget=50)) == 0.5


def test_availability_saturates_at_plenty_of_slots():
    platform = Platform()
    few = scoring.signals_for(need(), candidate(mentor(free_slots_in_hours=3)), platform, text_score=0)
    many = scoring.signals_for(need(), candidate(mentor(free_slots_in_hours=40)), platform, text_score=0)
    assert few.availability == 0.5 and many.availability == 1.0


def test_language_is_a_hard_fit_only_when_asked_for():
    platform = Platform()
    assert (
        scoring.signals_for(need(language="de"), candidate(mentor()), platform, text_score=0).language == 0.0
    )
    assert (
        scoring.signals_for(need(language="en"), candidate(mentor()), platform, text_score=0).language == 1.0
    )
    assert (
        scoring.signals_for(need(language=None), candidate(mentor()), platform, text_score=0).language == 1.0
    )


def test_one_five_star_review_does_not_outrank_a_proven_record():
    platform = Platform(rating_mean=4.4)
    newcomer = mentor(1, rating_average=5.0, rating_count=1)
    proven = mentor(2, rating_average=4.8, rating_count=120)
    assert scoring.smoothed_rating(newcomer, platform) < scoring.smoothed_rating(proven, platform)
    assert scoring.smoothed_rating(mentor(3, rating_average=None, rating_count=0), platform) == pytest.approx(
        4.4
    )


def test_the_action_item_rate_is_smoothed_towards_the_platforms():
    platform = Platform(items_rate=0.5)
    lucky = mentor(1, items_done=1, items_total=1)
    steady = mentor(2, items_done=80, items_total=100)
    assert scoring.smoothed_items_rate(lucky, platform) < scoring.smoothed_items_rate(steady, platform)


@pytest.mark.parametrize(
    ("wanted", "kind", "fit"),
    [("cohort", "cohort", 1.0), ("cohort", "plan", 0.0), ("ongoing", "plan", 1.0), ("any", "offering", 0.5)],
)
def test_format_fit(wanted, kind, fit):
    assert scoring.format_fit(candidate(mentor(), kind=kind), need(format=wanted)) == fit


def test_the_score_is_a_probability_that_rises_with_each_positive_signal():
    low = scoring.Signals(text=0.1)
    high = scoring.Signals(text=0.9)
    probability = scoring.scorer(scoring.DEFAULT_WEIGHTS)
    assert 0 < probability(low) < probability(high) < 1


def test_reasons_say_why_in_plain_words():
    m = mentor(items_done=71, items_total=100, free_slots_in_hours=4)
    n = need(budget=5000, hours=(time(18), time(21)), language="en")
    [ranked] = ranking.rank(n, [candidate(m)], explore=False)
    assert ranked.reasons[0].startswith("Python")
    assert "hiring" in ranked.reasons[0].lower()
    assert "4 free slots inside your hours this week" in ranked.reasons
    assert "$45, within your budget" in ranked.reasons
    assert "speaks your language" in ranked.reasons
    assert "rated 4.8 from 40 reviews" in ranked.reasons
    assert "71% of mentees did their action item" in ranked.reasons
    assert "30 mentees so far, 40% came back" in ranked.reasons


def test_reasons_for_a_new_mentor_over_budget_without_slots():
    m = mentor(
        rating_average=None,
        rating_count=0,
        items_total=0,
        items_done=0,
        mentees=0,
        returning_mentees=0,
        free_slots_in_hours=0,
    )
    page = ranking.match(need(budget=2000, days=frozenset({5})), [candidate(m, price=4500)], explore=False)
    assert page.main == ()  # over the budget: never among the main results
    [closest] = page.groups
    [ranked] = closest.items
    assert "no free slot inside your hours this week" in ranked.reasons
    assert "$45, above your budget by $25" in ranked.reasons
    assert "new on TheMentors" in ranked.reasons


def test_an_exploration_share_shows_new_mentors_who_are_relevant():
    proven = [mentor(i, rating_count=50) for i in range(1, 21)]
    newcomer = mentor(
        99, rating_average=None, rating_count=0, items_total=0, items_done=0, mentees=0, returning_mentees=0
    )
    stranger = mentor(
        98, rating_count=0, rating_average=None, text="Pottery", skills=frozenset(), skill_names={}
    )
    cands = [candidate(m, m.id) for m in proven] + [
        candidate(newcomer, 99),
        candidate(stranger, 98, title="Pottery"),
    ]
    page = ranking.rank(need(), cands, limit=10)
    assert [r.candidate.mentor.id for r in page if r.explored] == [99]
    assert page[9].explored  # the tenth place
    assert 98 not in [r.candidate.mentor.id for r in page]  # only relevant newcomers are explored
    assert [r.explored for r in ranking.rank(need(), cands, limit=10, explore=False)] == [False] * 10


def test_an_empty_need_is_empty():
    assert Need().is_empty and not Need(text="career change").is_empty


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I'm a data analyst", ["data", "analyst"]),
        ("I don't know SQL yet, it's hard", ["sql", "hard"]),
        ("My mentor’s C++ and C# notes", ["mentor", "c++", "c#", "notes"]),
        ("Im going to try x y z Python", ["try", "python"]),
    ],
)
def test_words_drop_stop_words_clitics_and_one_letter_pieces(text, expected):
    assert scoring.words(text) == expected


def test_reasons_never_show_a_fragment_of_a_contraction():
    m = mentor(text="I'm a staff engineer. I've run hiring loops; it's what I'd do again.")
    n = need(text="I'm stuck: I'd like help with hiring, I've failed loops", skills=frozenset())
    [ranked] = ranking.rank(n, [candidate(m)], explore=False)
    said = ranked.reasons[0].split(", ")
    assert "hiring" in said and "loops" in said
    assert not [w for w in said if len(w) < 2 or w in {"m", "d", "ve", "s", "i"}]


def test_the_index_scores_bm25_and_only_candidates_sharing_a_word_or_a_skill_are_ranked():
    python_people = mentor(1, text="Python hiring loops, Python career moves")
    designer = mentor(
        2, text="Product design critique", skills=frozenset({"design"}), skill_names={"design": "Design"}
    )
    stranger = mentor(3, text="Watercolour lessons", skills=frozenset({"painting"}), skill_names={})
    candidates = [
        candidate(python_people, 1),
        candidate(designer, 2, title="Portfolio review"),
        candidate(stranger, 3, title="Paint"),
    ]
    index = ranking.Index.of(candidates)

    def plain_bm25(query, document, k1=1.2, b=0.75):  # the textbook formula, term by term
        norm = k1 * (1 - b + b * len(document) / index.platform.average_length)
        return sum(
            index.platform.idf(t) * document.count(t) * (k1 + 1) / (document.count(t) + norm)
            for t in set(query)
            if t in document
        )

    query = ["python", "hiring", "design"]
    documents = [scoring.words(c.mentor.text + " " + c.title + " " + c.text) for c in candidates]
    scores = index.text_scores(query)
    assert set(scores) == {0, 1}  # the watercolour teacher shares no word
    for position, score in scores.items():
        assert score == pytest.approx(plain_bm25(query, documents[position]))
    assert index.with_skills(frozenset({"design"})) == {1}

    n = need(text="python hiring", skills=frozenset({"design"}))
    shown = [r.candidate.id for r in ranking.match(n, candidates, index=index, explore=False).main]
    assert sorted(shown) == [1, 2]
    # Built from the candidates when not given: the same page.
    assert [r.candidate.id for r in ranking.match(n, candidates, explore=False).main] == shown
    # What the mentee already has in hand is left out.
    assert [
        r.candidate.id for r in ranking.match(n, candidates, index=index, exclude={"offering:1"}).main
    ] == [2]
