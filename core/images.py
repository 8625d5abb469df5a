"""Images uploaded by users: checked by decoding them, then re-encoded before they are stored.

The browser's file name and content type are not trusted. Pillow decodes the upload; only
JPEG, PNG and WebP are accepted; the picture is re-encoded (EXIF, GPS, comments and any bytes
appended to the file are dropped), turned upright first and shrunk to at most MAX_SIDE pixels.
"""

import io
import uuid

from django import forms
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 1024
# A small file can still decode to a huge bitmap (a "decompression bomb"): refuse it before decoding.
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
ACCEPT_ATTRIBUTE = "image/jpeg,image/png,image/webp"

TOO_BIG = gettext_noop("This file is {size}; photos can be at most {limit}.")
NOT_AN_IMAGE = gettext_noop("This file is not an image we can read. Upload a JPEG, PNG or WebP photo.")
WRONG_TYPE = gettext_noop("{kind} images are not accepted. Upload a JPEG, PNG or WebP photo.")
TOO_MANY_PIXELS = gettext_noop("This image is too large ({width} × {height} pixels). Upload a smaller photo.")


def image_clean(upload: UploadedFile) -> ContentFile:
    """A re-encoded copy of `upload` (JPEG, or PNG when it has transparency), or a ValidationError
    that says what is wrong with it."""
    if upload.size > MAX_BYTES:
        raise forms.ValidationError(
            _(TOO_BIG).format(size=filesizeformat(upload.size), limit=filesizeformat(MAX_BYTES)),
            code="file_too_big",
        )
    upload.seek(0)
    try:
        with Image.open(upload) as probe:
            kind = probe.format or "Unknown"
            width, height = probe.size
            if kind not in ACCEPTED_FORMATS:
                raise forms.ValidationError(_(WRONG_TYPE).format(kind=kind), code="wrong_image_type")
            if width * height > MAX_PIXELS:
                raise forms.ValidationError(
                    _(TOO_MANY_PIXELS).format(width=width, height=height), code="too_many_pixels"
                )
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            picture = ImageOps.exif_transpose(image)
    except forms.ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise forms.ValidationError(_(NOT_AN_IMAGE), code="not_an_image") from error
    finally:
        upload.seek(0)
    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    has_alpha = picture.mode in ("RGBA", "LA", "PA") or (
        picture.mode == "P" and "transparency" in picture.info
    )
    out = io.BytesIO()
    if has_alpha:
        picture.convert("RGBA").save(out, format="PNG", optimize=True)
        extension = "png"
    else:
        picture.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
        extension = "jpg"
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")
