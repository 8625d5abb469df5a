from django import forms

from .models import MAX_MESSAGE_LENGTH


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Your message",
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown works: **bold**, _italic_, lists, `code` and links.",
        error_messages={
            "required": "Write a message first.",
            "max_length": "Keep it to %(limit_value)d characters (this one has %(show_value)d).",
        },
    )
