"""What a shared link shows: the page's title, a description, the person's photo and the page's
address, as Open Graph and Twitter card tags (templates/components/meta.html)."""

from django.http import HttpRequest
from django.utils.text import Truncator

from core.faces import SHARE_SIZE, face_url

DESCRIPTION_CHARS = 160


def page_meta(request: HttpRequest, *, title: str, description: str, photo=None) -> dict:
    """The `meta` context of a page worth sharing; `photo` is an ImageFieldFile (maybe empty)."""
    return {
        "title": title,
        "description": Truncator(" ".join(description.split())).chars(DESCRIPTION_CHARS),
        "image": request.build_absolute_uri(face_url(photo.name, SHARE_SIZE) or photo.url) if photo else "",
        "url": request.build_absolute_uri(request.path),
    }
