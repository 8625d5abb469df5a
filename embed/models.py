from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from mentors.models import MentorProfile

from .origins import parse_origins


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

    def clean(self) -> None:
        """Only normalised origins reach the frame-ancestors header (the admin edits the list too)."""
        if not isinstance(self.allowed_origins, list) or not all(
            isinstance(o, str) for o in self.allowed_origins
        ):
            raise ValidationError({"allowed_origins": _('A list of sites, like ["https://example.com"].')})
        try:
            normal = parse_origins(
                "\n".join(self.allowed_origins), local_http=settings.EMBED_LOCAL_HTTP_ORIGINS
            )
        except ValidationError as error:
            raise ValidationError({"allowed_origins": error.messages}) from None
        if normal != self.allowed_origins:
            raise ValidationError({"allowed_origins": _("Write each site once, as https://example.com.")})
