from django import template
from django.utils.safestring import mark_safe

from core.markdown import render_markdown
from core.money import format_money

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3


@register.simple_tag
def money(amount: int, currency: str) -> str:
    return format_money(amount, currency)


@register.filter
def stars(rating) -> str:
    if rating is None:
        return ""
    full = round(float(rating))
    return "★" * full + "☆" * (5 - full)
