from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag(takes_context=True)
def report_link(context, kind: str, object_id, owner_id=None, next=None, label: str = ""):  # noqa: A002
    """A small link to the report form for one object, coming back to this page afterwards;
    nothing for the object's own author."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and owner_id is not None and owner_id == user.pk:
        return ""
    url = reverse("moderation:report", args=[kind, object_id])
    back = next or (request.get_full_path() if request is not None else None)
    if back:
        url += "?" + urlencode({"next": back})
    return format_html(
        '<a class="report-link muted" href="{}" rel="nofollow">{}</a>', url, label or gettext("Report")
    )
