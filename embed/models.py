from django.db import models
from django.utils.translation import gettext_lazy as _

from mentors.models import MentorProfile


class Widget(models.Model):
    """A mentor's booking widget: the sites allowed to frame it and its accent colour.

    No row means no site may frame it (frame-ancestors 'none')."""

    class Accent(models.TextChoices):
        BLUE = "blue", _("Blue")
        TEAL = "teal", _("Teal")
        ROSE = "rose", _("Rose")
        AMBER = "amber", _("Amber")
        SLATE = "slate", _("Slate")

    mentor = models.OneToOneField(MentorProfile, on_delete=models.CASCADE, related_name="widget")
    # Normalised origins (embed/origins.py), in the order the mentor wrote them.
    allowed_origins = models.JSONField(default=list, blank=True)
    accent = models.CharField(max_length=10, choices=Accent.choices, default=Accent.BLUE)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("booking widget")

    def __str__(self) -> str:
        return f"Widget of {self.mentor}"
