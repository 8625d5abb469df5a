"""What the mentee said is kept (no database): a stated language and a stated budget (in their
currency, after conversion) filter the main results; the rest go to labelled groups whose
reasons say how they differ; a price that cannot be converted is left out; the budget is per
session, seat or month; one place per mentor; free text alone finds its skills."""

from decimal import Decimal

import pytest

from matching import ranking, scoring
from matching.scoring import Candidate, Need
from tests.matching.test_scoring import NEW_YORK, mentor

RATES = {"USD": Decimal(1), "EUR": Decimal("0.9"), "AUD": Decimal("1.5"), "JPY": Decimal("150")}
NAMES = {"en": "English", "es": "Spanish", "de": "German"}


def person(pk, *, languages=("en",), **fields):
    return mentor(
        pk, languages=frozenset(languages), language_names={c: NAMES[c] for c in languages}, **fields
    )


def item(m, pk, *, price=4000, currency="USD", kind="offering", title="Mock hiring interview"):
    return Candidate(
        kind=kind, id=pk, mentor=m, title=title, text="", url=f"/{kind}/{pk}/", price=price, currency=currency
    )


def need(**fields) -> Need:
    values = {"text": "hiring interviews", "skills": frozenset({"python"}), "zone": NEW_YORK}
    values.update(fields)
    return Need(**values)


def ids(ranked) -> list[int]:
    return [r.candidate.id for r in ranked]


def group(page, key):
    return [g for g in page.groups if g.key == key]


def test_a_stated_language_filters_and_the_others_are_a_group_named_for_their_language():
    spanish, english, german = person(1, languages=("es", "en")), person(2), person(3, languages=("de",))
    page = ranking.match(
        need(language="es"), [item(english, 2), item(spanish, 1), item(german, 3)], explore=False
    )
    assert ids(page.main) == [1]
    assert "speaks your language" in page.main[0].reasons
    labels = {g.label: ids(g.items) for g in group(page, "language")}
    assert labels == {"Also good, in English": [2], "Also good, in German": [3]}
    for g in group(page, "language"):
        for r in g.items:
            assert "speaks your language" not in r.reasons
    [english_item] = group(page, "language")[0].items
    # Nobody speaks French: the others in at most LANGUAGE_GROUPS groups, not one per language.
    others = [person(10 + i, languages=(code,)) for i, code in enumerate(["de", "en", "es"])]
    many = ranking.match(need(language="fr"), [item(m, m.id) for m in others], explore=False)
    assert len(group(many, "language")) == ranking.LANGUAGE_GROUPS
    assert "speaks English" in english_item.reasons
    assert (
        ranking.rank(need(language="es"), [item(english, 2), item(spanish, 1)], explore=False)[0].candidate.id
        == 1
    )
    assert len(ranking.rank(need(language="es"), [item(english, 2), item(spanish, 1)], explore=False)) == 1


def test_a_budget_filters_in_the_mentees_currency_after_conversion():
    cheap_euro = item(person(1), 1, price=3600, currency="EUR")  # €36 = $40
    dear_aud = item(person(2), 2, price=22000, currency="AUD")  # A$220 = $146.67
    local = item(person(3), 3, price=4500)
    page = ranking.match(need(budget=5000), [dear_aud, cheap_euro, local], rates=RATES, explore=False)
    assert sorted(ids(page.main)) == [1, 3]
    assert all(r.price <= 5000 for r in page.main)
    euro = next(r for r in page.main if r.candidate.id == 1)
    assert euro.price == 4000
    assert "€36 (≈ $40), within your budget" in euro.reasons
    assert group(page, "budget") == []  # far over: not "a little" above
    [far] = group(page, "closest")[0].items  # shown only because the main results are few
    assert "A$220 (≈ $146.67), above your budget by $96.67" in far.reasons


def test_a_price_without_a_rate_is_left_out_under_a_budget_never_scored_as_unknown():
    rupees = item(person(1), 1, price=100, currency="INR")  # ₹1: cheap, but no rate to say so
    dollars = item(person(2), 2, price=4000)
    page = ranking.match(need(budget=5000), [rupees, dollars], rates=RATES, explore=False)
    assert ids(page.main) == [2]
    assert all(r.candidate.id != 1 for g in page.groups for r in g.items)
    # Without a budget nothing needs converting: it is shown.
    assert sorted(ids(ranking.match(need(), [rupees, dollars], rates=RATES, explore=False).main)) == [1, 2]


@pytest.mark.parametrize(("price", "where"), [(1000, "main"), (1200, "budget"), (1201, "closest")])
def test_a_little_above_the_budget_is_at_most_twenty_percent_and_labelled_with_the_amount(price, where):
    page = ranking.match(need(budget=1000), [item(person(1), 1, price=price)], explore=False)
    if where == "main":
        assert ids(page.main) == [1]
        return
    assert page.main == ()
    [g] = page.groups
    assert g.key == where
    if where == "budget":
        assert g.label == "A little above your budget: up to $12"
        assert "$12, above your budget by $2" in g.items[0].reasons
        assert not any("within your budget" in reason for reason in g.items[0].reasons)
    else:
        assert "$12.01, above your budget by $2.01" in g.items[0].reasons


def test_the_budget_applies_to_the_kind_of_item_the_mentee_chose():
    m1, m2, m3 = person(1), person(2), person(3)
    session = item(m1, 1, price=4000)
    seat = item(m2, 2, price=30000, kind="cohort")
    month = item(m3, 3, price=9000, kind="plan")
    per_session = ranking.match(need(budget=5000), [session, seat, month], explore=False)
    assert ids(per_session.main) == [1]
    per_seat = ranking.match(need(budget=35000, budget_per="seat"), [session, seat, month], explore=False)
    assert ids(per_seat.main) == [2]
    assert "$300, within your budget" in per_seat.main[0].reasons
    per_month = ranking.match(need(budget=8000, budget_per="month"), [session, seat, month], explore=False)
    assert per_month.main == () and ids(group(per_month, "budget")[0].items) == [3]
    assert "$90, above your budget by $10" in group(per_month, "budget")[0].items[0].reasons


def test_one_mentor_takes_one_place_and_their_other_items_are_kept_behind_it():
    busy = person(1)
    others = [person(i) for i in range(2, 12)]
    cands = [item(busy, 100 + n, price=1000 + n) for n in range(5)] + [item(m, m.id) for m in others]
    page = ranking.match(need(), cands, explore=False)
    assert len(page.main) == ranking.TOP
    mentors = [r.candidate.mentor.id for r in page.main]
    assert len(set(mentors)) == len(mentors)
    first = next(r for r in page.main if r.candidate.mentor.id == 1)
    assert sorted(ids(first.more)) == sorted({100, 101, 102, 103, 104} - {first.candidate.id})
    assert all(m.reasons for m in first.more)


def test_the_mentors_other_items_over_budget_are_not_behind_an_item_within_it():
    m = person(1)
    page = ranking.match(need(budget=5000), [item(m, 1, price=4000), item(m, 2, price=5500)], explore=False)
    assert ids(page.main) == [1] and page.main[0].more == ()
    assert page.groups == ()  # the same mentor takes no second place


def test_free_text_alone_names_skills_through_their_synonyms():
    vocabulary = {
        "machine-learning": ("Machine learning", "ml", "deep learning"),
        "negotiation": ("Negotiation", "salary talk"),
        "python": ("Python",),
    }
    assert scoring.skills_in_text("Help with my first ML models and salary talks", vocabulary) == {
        "machine-learning",
        "negotiation",
    }
    assert scoring.skills_in_text("Learning to sing", vocabulary) == frozenset()
    ml = person(1, text="I teach practical modelling.", skills=frozenset({"machine-learning"}))
    ml = scoring.Mentor(**{**ml.__dict__, "skill_names": {"machine-learning": "Machine learning"}})
    told = need(text="help with my first ml model", skills=frozenset())
    assert ranking.match(told, [item(ml, 1, title="Office hours")], explore=False).main == ()
    told = need(text=told.text, skills=scoring.skills_in_text(told.text, vocabulary))
    [found] = ranking.match(told, [item(ml, 1, title="Office hours")], explore=False).main
    assert found.reasons[0] == "Machine learning"


def test_few_or_no_main_results_bring_the_closest_labelled():
    spanish = person(1, languages=("es",))
    dear = [item(person(i), i, price=2000 + i) for i in range(2, 6)]
    page = ranking.match(
        need(language="es", budget=1000), [item(spanish, 1, price=900), *dear], explore=False
    )
    assert ids(page.main) == [1] and page.few
    [closest] = page.groups
    assert closest.label == "The closest to what you asked"
    assert ids(closest.items) == [2, 3, 4]  # nearest to the budget first
    for r in closest.items:
        assert "speaks English" in r.reasons and not any("within your budget" in x for x in r.reasons)
    none = ranking.match(need(budget=100), dear, explore=False)
    assert none.main == () and none.few and len(group(none, "closest")[0].items) == 3
    plenty = ranking.match(need(), dear, explore=False)
    assert not plenty.few and plenty.groups == ()


def test_the_old_call_form_of_rank_still_ranks():
    ranked = ranking.rank(need(), [item(person(1), 1)], weights=scoring.DEFAULT_WEIGHTS, limit=20)
    assert ids(ranked) == [1] and set(scoring.SIGNAL_NAMES) <= set(scoring.DEFAULT_WEIGHTS)


def test_a_free_item_in_another_currency_is_simply_free():
    [free] = ranking.match(
        need(budget=1000), [item(person(1), 1, price=0, currency="JPY")], rates=RATES, explore=False
    ).main
    assert "Free, within your budget" in free.reasons


def test_a_mentor_the_mentee_met_and_liked_comes_first_and_says_so():
    met, other = person(1), person(2)
    liked = need(met={1: 5})
    page = ranking.match(liked, [item(other, 2), item(met, 1)], explore=False)
    assert ids(page.main) == [1, 2]
    assert "you had a session with them before and rated it 5 of 5" in page.main[0].reasons
    assert not any("before" in reason for reason in page.main[1].reasons)
    # Met but not reviewed: still counts, said without stars; never met: nothing said.
    unreviewed = ranking.match(need(met={1: None}), [item(other, 2), item(met, 1)], explore=False)
    assert ids(unreviewed.main) == [1, 2]
    assert "you had a session with them before" in unreviewed.main[0].reasons


def test_a_mentor_the_mentee_rated_two_stars_or_less_is_not_recommended_to_them_again():
    met, other = person(1), person(2)
    page = ranking.match(need(met={1: 2}), [item(met, 1), item(other, 2)], explore=False)
    shown = ids(page.main) + [i for g in page.groups for i in ids(g.items)]
    assert shown == [2]
    # Anyone else still sees them.
    assert 1 in ids(ranking.match(need(), [item(met, 1), item(other, 2)], explore=False).main)


def test_more_mentees_so_far_counts_for_experience_and_is_said():
    seasoned, newer = person(1, mentees=40, returning_mentees=0), person(2, mentees=3, returning_mentees=0)
    page = ranking.match(need(), [item(newer, 2), item(seasoned, 1)], explore=False)
    assert ids(page.main) == [1, 2]
    assert page.main[0].signals.experience > page.main[1].signals.experience
    assert "40 mentees so far" in page.main[0].reasons
