from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from .models import Widget
from .origins import MAX_ORIGINS, parse_origins


def _origins_help() -> str:
    """Filled in when the form is shown, so in the page's language (not the one at import)."""
    return _(
        "One site a line, like https://www.example.com: the scheme and the name, no page path. "
        "Up to %(max)d. Any other site that tries to show your widget gets an empty frame."
    ) % {"max": MAX_ORIGINS}


class WidgetForm(forms.Form):
    origins = forms.CharField(
        label=_("Sites that may show your widget"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off"}),
        help_text=lazy(_origins_help, str)(),
        max_length=4000,
    )
    accent = forms.ChoiceField(label=_("Accent colour"), choices=Widget.Accent.choices)

    def clean_origins(self) -> list[str]:
        try:
            return parse_origins(self.cleaned_data["origins"], local_http=settings.EMBED_LOCAL_HTTP_ORIGINS)
        except ValidationError as error:
            raise ValidationError(error.messages) from None
