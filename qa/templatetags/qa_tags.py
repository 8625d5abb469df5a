import re

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import ngettext

from core.markdown import render_markdown

register = template.Library()

# A bare web address, not already inside a Markdown link, an autolink, an HTML attribute or a
# code span; trailing sentence punctuation is left out of it.
BARE_URL = re.compile(r"(?<![(<\[\"'=`])\bhttps?://[^\s<>()\[\]`\"']+(?<![.,;:!?])")


@register.filter
def message_html(body: str) -> str:
    """A message's Markdown as safe HTML, with bare web addresses made into links."""
    return mark_safe(render_markdown(BARE_URL.sub(lambda m: f"<{m.group(0)}>", body or "")))  # noqa: S308


@register.filter
def response_time(minutes) -> str:
    """12 minutes, 3 hours, 2 days."""
    if minutes is None:
        return ""
    minutes = int(minutes)
    if minutes < 60:
        return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}
    if minutes < 48 * 60:
        hours = max(1, round(minutes / 60))
        return ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": hours}
    days = round(minutes / (24 * 60))
    return ngettext("%(count)s day", "%(count)s days", days) % {"count": days}
