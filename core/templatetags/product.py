from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from core.markdown import render_markdown
from core.money import format_money
from core.one_click import one_click_url

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3


@register.simple_tag
def money(amount: int, currency: str) -> str:
    return format_money(amount, currency)


@register.simple_tag(takes_context=True)
def one_click(context, name: str, *args) -> str:
    """The address of route `name`, signed for the viewer (see core.one_click)."""
    return one_click_url(reverse(name, args=args), user=context["request"].user)


@register.filter
def stars(rating) -> str:
    if rating is None:
        return ""
    full = round(float(rating))
    return "★" * full + "☆" * (5 - full)


@register.filter
def initials(name: str) -> str:
    """ "Ada Lovelace" -> "AL": the avatar shown for a person without a photo."""
    words = [w for w in str(name).split() if w[:1].isalpha()]
    return "".join(w[0] for w in words[:1] + words[1:][-1:]).upper() or "?"
