"""Choice widgets that write Django's own markup in Python instead of through its templates.

Django renders each option of a select, a radio list or a checkbox list through three nested
templates (option, input, attrs): sixty skill checkboxes cost ~180 template includes, most of the
`/match/` intake's time (issue 22). These widgets take the same context (`get_context`) and write
the HTML those templates write, character for character (tests/core/test_widgets.py compares
them with Django's own rendering), so pages look the same and cost a fraction.
"""

from __future__ import annotations

import html

from django import forms
from django.utils.safestring import mark_safe

# Django's form renderer strips what its templates return (BaseRenderer.render); so do these.


def _text(value) -> str:
    """conditional_escape without its lazy-string wrapper (thousands of calls a page)."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def flat_attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        "" if value is False else f" {_text(name)}" if value is True else f' {_text(name)}="{_text(value)}"'
        for name, value in attrs.items()
    )


def _input(option: dict) -> str:
    """django/forms/widgets/input.html."""
    value = "" if option["value"] is None else f' value="{_text(option["value"])}"'
    attrs = flat_attrs(option["attrs"])
    return f'<input type="{_text(option["type"])}" name="{_text(option["name"])}"{value}{attrs}>\n'


def _input_option(option: dict) -> str:
    """django/forms/widgets/checkbox_option.html and radio_option.html: input_option.html."""
    if not option["wrap_label"]:
        return f"{_input(option)}\n\n"
    for_id = f' for="{_text(option["attrs"]["id"])}"' if option["attrs"].get("id") else ""
    return f"<label{for_id}>{_input(option)} {_text(option['label'])}</label>\n\n"


def _multiple_input(widget: dict) -> str:
    """django/forms/widgets/multiple_input.html (checkbox and radio lists)."""
    id_ = widget["attrs"].get("id")
    css = widget["attrs"].get("class")
    id_attr = f' id="{_text(id_)}"' if id_ else ""
    class_attr = f' class="{_text(css)}"' if css else ""
    parts = [f"<div{id_attr}{class_attr}>"]
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{_text(group)}</label>")
        parts.extend(f"<div>\n    {_input_option(option)}</div>" for option in options)
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>")
    return "".join(parts)


def _select(widget: dict) -> str:
    """django/forms/widgets/select.html and select_option.html."""
    parts = [f'<select name="{_text(widget["name"])}"{flat_attrs(widget["attrs"])}>']
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f'\n  <optgroup label="{_text(group)}">')
        parts.extend(
            f'\n  <option value="{_text(o["value"])}"{flat_attrs(o["attrs"])}>{_text(o["label"])}</option>\n'
            for o in options
        )
        if group:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class Select(forms.Select):
    def _render(self, template_name, context, renderer=None):
        return mark_safe(_select(context["widget"]))  # noqa: S308 - every value is escaped above


class CheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    def _render(self, template_name, context, renderer=None):
        return mark_safe(_multiple_input(context["widget"]))  # noqa: S308 - every value is escaped above


class RadioSelect(forms.RadioSelect):
    def _render(self, template_name, context, renderer=None):
        return mark_safe(_multiple_input(context["widget"]))  # noqa: S308 - every value is escaped above


class FastInput:
    """django/forms/widgets/input.html, for the single-value inputs (text, number, time...)."""

    def _render(self, template_name, context, renderer=None):
        return mark_safe(_input(context["widget"]).strip())  # noqa: S308 - every value is escaped above


class TextInput(FastInput, forms.TextInput):
    pass


class NumberInput(FastInput, forms.NumberInput):
    pass


class TimeInput(FastInput, forms.TimeInput):
    pass


class Textarea(forms.Textarea):
    """django/forms/widgets/textarea.html."""

    def _render(self, template_name, context, renderer=None):
        widget = context["widget"]
        value = _text(widget["value"]) if widget["value"] else ""
        html = f'<textarea name="{_text(widget["name"])}"{flat_attrs(widget["attrs"])}>\n{value}</textarea>'
        return mark_safe(html.strip())  # noqa: S308 - every value is escaped above


class HiddenInput(FastInput, forms.HiddenInput):
    pass


class CheckboxInput(FastInput, forms.CheckboxInput):
    pass
