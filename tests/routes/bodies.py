"""Hostile bodies and query strings built from a route's fields and its accepted body, and the
ways they travel (multipart, urlencoded with the invalid UTF-8 a lone surrogate becomes, JSON
where a form is expected, a multipart body that ends half-way)."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import quote

from hypothesis import strategies as st

from tests.routes.values import ALPHABET, EXTRA_KEYS, HUGE, NUL, hostile

# One hostile change applied to every field of the accepted body at once: the classic attacks,
# each likely to be tried within a few dozen examples.
TRANSFORMS: dict[str, Callable[[str], str | list[str]]] = {
    "NUL": lambda v: f"{v}{NUL}",
    "huge": lambda v: v + HUGE,
    "empty": lambda v: "",
    "RTL and emoji": lambda v: f"\u202e{v}\u200f🙂",
    "lone surrogate": lambda v: f"{v}\ud800",
    "JSON": lambda v: json.dumps({"value": v, "list": [1, None]}),
    "list": lambda v: [v, v],
    "negative": lambda v: f"-{v}",
    "float": lambda v: f"{v}.5",
    "spaces": lambda v: f"  {v}  ",
}


@st.composite
def bodies(draw, fields: dict[str, list[str]], valid: dict) -> dict:
    """The accepted body with one hostile change made to every field, or a few fields replaced,
    dropped or doubled, or every field drawn on its own; plus extra fields nobody asked for."""
    names = sorted(set(fields) | set(valid))
    mode = draw(st.sampled_from(["mutate", "transform", "random"]))
    body = dict(valid)
    if mode == "transform":
        transform = TRANSFORMS[draw(st.sampled_from(sorted(TRANSFORMS)))]
        body = {name: transform(valid.get(name, "1")) for name in names}
    elif mode == "mutate" and names:
        for name in draw(st.lists(st.sampled_from(names), max_size=3, unique=True)):
            body[name] = draw(_value(fields.get(name, [])))
    elif mode == "random":
        body = {name: draw(_value(fields.get(name, []))) for name in names}
    for name in draw(st.lists(st.sampled_from(EXTRA_KEYS) | st.text(ALPHABET, max_size=8), max_size=2)):
        body.setdefault(name, draw(_value([])))
    return {name: value for name, value in body.items() if value is not None}


def _value(typed: list[str]):
    scalar = st.one_of(st.sampled_from(typed), hostile) if typed else hostile
    return st.one_of(
        scalar,
        st.none(),  # the field is missing
        st.lists(scalar, min_size=2, max_size=3),  # a list where a scalar is expected
    )


def _encode(value: str) -> str:
    return quote(value.encode("utf-8", "surrogatepass"))


def urlencoded(body: dict) -> str:
    """The body as a browser would post it, lone surrogates as the invalid UTF-8 they become."""
    pairs = []
    for name, value in body.items():
        for one in value if isinstance(value, list) else [value]:
            pairs.append(f"{_encode(name)}={_encode(one)}")
    return "&".join(pairs)


def multipart_safe(body: dict) -> dict:
    """Multipart cannot carry a lone surrogate: the client encodes strict UTF-8."""

    def fix(text: str) -> str:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")

    return {
        fix(k): [fix(v) for v in value] if isinstance(value, list) else fix(value)
        for k, value in body.items()
    }


# How the body travels: as a browser posts a form, urlencoded (the only way to send a lone
# surrogate: as the invalid UTF-8 it becomes), as JSON where a form is expected, and as a
# multipart body that ends half-way.
ENCODINGS = ["multipart", "urlencoded", "json", "broken multipart"]


def post(client, url: str, body: dict, encoding: str, headers: dict):
    if encoding == "multipart":
        return client.post(url, multipart_safe(body), headers=headers)
    if encoding == "urlencoded":
        form = urlencoded(body)
        return client.post(url, form, content_type="application/x-www-form-urlencoded", headers=headers)
    if encoding == "json":
        return client.post(url, json.dumps(body), content_type="application/json", headers=headers)
    cut = '--fuzz\r\nContent-Disposition: form-data; name="' + urlencoded(body)[:200]
    return client.post(url, cut, content_type="multipart/form-data; boundary=fuzz", headers=headers)
