from django.db import transaction

from core import pagecache
from mentors.models import MentorProfile

from .models import Widget


def widget_save(*, mentor: MentorProfile, origins: list[str], accent: str) -> Widget:
    """Keep the mentor's widget settings. The framed pages are cached per mentor: their content
    (the accent, the "switched off" notice) follows at once; their frame-ancestors header is read
    on every response (embed/framing.py)."""
    with transaction.atomic():
        widget, _ = Widget.objects.select_for_update().get_or_create(mentor=mentor)
        widget.allowed_origins = list(origins)
        widget.accent = accent
        widget.full_clean()
        widget.save()
        pagecache.changed(pagecache.mentor(mentor.pk))
    return widget
