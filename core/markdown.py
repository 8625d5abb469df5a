"""Markdown written by users, rendered to HTML that is safe to show."""

import functools

import markdown as md
import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "hr",
}


@functools.lru_cache(maxsize=512)
def render_markdown(text: str) -> str:
    """Safe HTML for `text`; memoised per process on the text itself, so an edit is a new key
    and one visitor's page can never be served another's (the output depends on `text` only).
    A profile's bio or an offering's description is rendered once, not on every view."""
    html = md.markdown(text or "", extensions=["sane_lists"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
