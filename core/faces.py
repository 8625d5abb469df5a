"""Faces at the size a page shows them. An uploaded photo is kept at up to 1024 px (core.images);
the avatar shows it at 32-96 px. `/faces/<px>/<name>` serves the stored upload `name` cut to a
square of `px` pixels, so a directory page downloads twenty small faces, not twenty photos.

The first request makes the square and keeps it in the cache; browsers keep it a year (an upload
has a random name: a new photo is a new address). It works whether or not anything in front of
the site serves MEDIA_URL.
"""

import io
import re

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET
from PIL import Image, ImageOps, UnidentifiedImageError

# The avatar's sizes (core.templatetags.product.avatar) at 1x and 2x, the e-mail's 48 px at 2x,
# and the picture of a shared link (core.meta).
SHARE_SIZE = 256
SIZES = frozenset({32, 56, 96, 64, 112, 192, SHARE_SIZE})
# What core.images.image_clean stores: a folder, a random hex name, JPEG or PNG.
STORED_NAME = re.compile(r"[a-z]+/[0-9a-f]{32}\.(jpg|png)")
KEPT = 30 * 24 * 3600  # seconds in the cache
YEAR = 365 * 24 * 3600


def face_url(name: str, px: int) -> str | None:
    """The address of a stored upload's `px`-pixel square, or None when it is not one we made."""
    if px not in SIZES or not STORED_NAME.fullmatch(name):
        return None
    return reverse("face", args=[px, name])


@require_GET
def face(request, px: int, name: str):
    if px not in SIZES or not STORED_NAME.fullmatch(name):
        raise Http404("No such face.")
    key = f"face:{px}:{name}"
    data = cache.get(key)
    if data is None:
        data = _square(name, px)
        cache.set(key, data, KEPT)
    response = HttpResponse(data, content_type="image/png" if name.endswith(".png") else "image/jpeg")
    response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response


def _square(name: str, px: int) -> bytes:
    try:
        with default_storage.open(name) as stored, Image.open(stored) as image:
            image.load()
            square = ImageOps.fit(image, (px, px), Image.Resampling.LANCZOS)
    except (FileNotFoundError, UnidentifiedImageError) as error:
        raise Http404("No such face.") from error
    out = io.BytesIO()
    if name.endswith(".png"):
        square.save(out, format="PNG", optimize=True)
    else:
        square.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()
