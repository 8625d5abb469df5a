"""Hostile values: text, numbers, dates, times and URLs that break things, and for each form field
the values of its own type (its choices, its bounds and one past them, the edges of its dates)."""

from __future__ import annotations

import uuid

from django import forms
from hypothesis import strategies as st

NUL = "\x00"
HUGE = "x" * 10_001
HOSTILE_TEXT = [
    "",
    " ",
    "\t\r\n ",
    NUL,
    f"before{NUL}after",
    "\u202eevil\u202c",  # right-to-left override
    "\u200f\u200e\u2066x\u2069",  # RTL/LTR marks, isolates
    "\ufeff",
    "🙂👩‍👩‍👧‍👦🏳️‍🌈",
    "\ud800",  # a lone surrogate: only the urlencoded body can carry it (as invalid UTF-8)
    "a\udfffz",
    "\\ud83d",  # a surrogate written as text
    "Z\u0351\u0352\u0353" * 50,
    HUGE,
    "é" * 12_000,
    "<script>alert(1)</script>",
    "'; DROP TABLE accounts_user; --",
    "{{ request }}{% debug %}",
    "%s%n%x",
    '{"json": [1, {"a": null}], "text": "\\u0000"}',
    "[]",
    "null",
    "../../etc/passwd",
    "/next\r\nSet-Cookie: evil=1",
]
NUMBERS = [
    "-1",
    "0",
    "-0",
    "1.5",
    "-2.75",
    "1e309",
    "-1e309",
    "1e-7",
    "NaN",
    "Infinity",
    "99999999999999999999999999",
    "-99999999999999999999999999",
    "2147483648",
    "0x10",
    "١٢",  # Arabic-Indic digits
    "7 ",
]
DATES = [
    "2026-02-30",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "2027-13-01",
    "2027-03-14",  # the US spring-forward day
    "2027-03-28",  # the EU one
    "2027-10-31",  # the EU fall-back day
    "31/12/2027",
    "2027-W01",
    "2027-01",
]
TIMES = ["24:00", "23:60", "02:30", "02:00", "-01:00", "9", "12:00:00.999999", "25:61"]
DATETIMES = [
    "2027-03-14T02:30",  # does not exist in New York
    "2027-03-28T02:30",  # does not exist in Berlin
    "2027-10-31T02:30",  # happens twice in Berlin
    "9999-12-31T23:59",
    "1899-12-31T00:00",
    "2027-02-29T10:00",
    "2027-01-01T10:00+99:00",
    "2027-01-01 10:00",
]
URLS = [
    "javascript:alert(1)",
    "data:text/html,<b>x</b>",
    "http://",
    "http://" + "a" * 3000 + ".com",
    "https://exa mple.com",
    "//evil.example/",
    "https://xn--80ak6aa92e.com/",
]
EVERYTHING = HOSTILE_TEXT + NUMBERS + DATES + TIMES + DATETIMES + URLS
EXTRA_KEYS = [
    "csrfmiddlewaretoken",
    "id",
    "pk",
    "mentor",
    "owner",
    "state",
    "price_amount",
    "is_staff",
    NUL,
    "é",
]

# Characters that break things: controls, NUL, quotes, markup, RTL and zero-width marks, combining
# marks, emoji and their joiners, non-BMP letters, full-width digits.
ALPHABET = st.sampled_from(
    list("aZ09 -_./:@%&=+;,'\"<>{}[]()\\")
    + ["\x00", "\x01", "\x7f", "\t", "\n", "\r", "\u0085"]
    + ["\u200b", "\u200d", "\u200e", "\u200f", "\u202e", "\u2066", "\u2028", "\ufeff", "\ufffd", "\u0301"]
    + ["é", "ß", "İ", "ﬁ", "漢", "١", "７", "🙂", "👩", "\U0001d54f", "\U000e0041"]
)
hostile = st.one_of(
    st.sampled_from([NUL, f"before{NUL}after", HUGE]),
    st.sampled_from(EVERYTHING),
    st.text(ALPHABET, max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


def _flat_choices(choices) -> list[str]:
    values = []
    for key, label in choices:
        if isinstance(label, list | tuple):
            values += _flat_choices(label)
        else:
            values.append(str(key))
    return values


def typed_values(form_field: forms.Field) -> list[str]:
    """Values of the field's own type: its choices, its bounds and one past them, the edges of
    its dates and times."""
    if isinstance(form_field, forms.BooleanField):
        return ["on", "1", "0", "true", "false", "False"]
    if isinstance(form_field, forms.ModelChoiceField):
        return ["0", "-1", str(2**63), "not-a-key"]
    if isinstance(form_field, forms.ChoiceField):
        choices = _flat_choices(form_field.choices)
        return (choices[:40] if len(choices) > 40 else choices) + ["not-a-choice", "Europe/Nowhere"]
    if isinstance(form_field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        edges = []
        for bound in (form_field.min_value, form_field.max_value):
            if bound is not None:
                edges += [str(bound), str(bound - 1), str(bound + 1), f"{bound}.5"]
        return edges + NUMBERS
    if isinstance(form_field, forms.DateTimeField):
        return DATETIMES
    if isinstance(form_field, forms.DateField):
        return DATES
    if isinstance(form_field, forms.TimeField):
        return TIMES
    if isinstance(form_field, forms.URLField):
        return URLS
    if isinstance(form_field, forms.UUIDField):
        return [str(uuid.uuid4()), "not-a-uuid", str(uuid.UUID(int=0))]
    return []


def form_fields(*form_classes, prefix: str = "") -> dict[str, list[str]]:
    """Every field name of the forms (as the page posts it), with values of its type."""
    names = {}
    for form_class in form_classes:
        for name, form_field in form_class.base_fields.items():
            names[f"{prefix}-{name}" if prefix else name] = typed_values(form_field)
    return names
