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
def ordinal(number) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st…"""
    n = int(number)
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
