from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core import avatars, faces
from core.clock import moment_label, viewer_clock
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


@register.simple_tag(takes_context=True)
def clock(context, moment, date_part: str = "", zone=None) -> str:
    """A time in the viewer's clock ("2:30 pm" for en-US, "14:30" for de or en-GB), in the zone the
    page shows (or `zone`); with a date format first, the date too: {% clock at "D j M" %} ->
    "Mon 30 Mar, 2:30 pm"."""
    if moment is None or moment == "":
        return ""
    local = moment.astimezone(zone) if zone is not None else timezone.localtime(moment)
    request = context.get("request")
    twelve_hour = viewer_clock(request).twelve_hour if request is not None else False
    return moment_label(local, twelve_hour=twelve_hour, date_part=date_part)


@register.filter
def stars(rating) -> str:
    if rating is None:
        return ""
    full = round(float(rating))
    return "★" * full + "☆" * (5 - full)


@register.filter
def ordinal(number) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st…; in Spanish 1.º, in German 1., in another language
    the number alone."""
    n = int(number)
    language = (translation.get_language() or "en").split("-")[0]
    if language != "en":
        return {"es": f"{n}.º", "de": f"{n}."}.get(language, str(n))
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _face(person) -> tuple[str, object]:
    """The name and the photo (an ImageFieldFile, maybe empty) of a mentor profile or a user."""
    if hasattr(person, "photo"):
        return person.user.name, person.photo
    profile = getattr(person, "mentor", None)
    return person.name, (profile.photo if profile is not None else None)


@register.inclusion_tag("components/avatar.html")
def avatar(person, size: str = "") -> dict:
    """A person's photo, or their initials on a colour of their own (the same on every page).
    `size` is "", "sm" or "lg" (classes in site.css). Decorative: the name is always beside it."""
    name, photo = _face(person)
    pixels = {"sm": 32, "lg": 96}.get(size, 56)
    # The photo cut to the size shown (and twice that for sharp screens); the upload itself if it
    # is not one core.images stored.
    small = faces.face_url(photo.name, pixels) if photo else None
    return {
        "photo_url": small or (photo.url if photo else ""),
        "photo_2x": faces.face_url(photo.name, 2 * pixels) if small else "",
        "initials": avatars.initials(name),
        "colour": avatars.colour_index(name),
        "size": size,
        "pixels": pixels,
    }


@register.simple_tag
def email_avatar(person) -> str:
    """A small photo for an e-mail (an absolute address), or nothing when there is none."""
    name, photo = _face(person)
    if not photo:
        return ""
    return format_html(
        '<img src="{}{}" width="48" height="48" alt="" style="border-radius:24px;vertical-align:middle">',
        settings.SITE_URL,
        faces.face_url(photo.name, 96) or photo.url,
    )
