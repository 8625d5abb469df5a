"""The fast choice widgets write exactly the markup Django's widget templates write, so a form
drawn with them looks and behaves the same (labels, ids, checked and selected states, escaping)."""

import pytest
from django import forms

from core import widgets

CHOICES = [("python", "Python"), ("ux", "UX & research"), ("x", '<b>"quoted"</b>')]
GROUPED = [("Code", [("python", "Python"), ("go", "Go")]), ("", [("ux", "UX")]), ("none", "None at all")]


def both(fast_class, django_class, *, choices, value, attrs=None, **options):
    fast = fast_class(choices=choices, **options).render("field", value, attrs=attrs)
    plain = django_class(choices=choices, **options).render("field", value, attrs=attrs)
    return fast, plain


@pytest.mark.parametrize("value", [None, [], ["python"], ["python", "x"]])
@pytest.mark.parametrize("choices", [CHOICES, GROUPED])
@pytest.mark.parametrize(
    "attrs", [None, {"id": "id_field"}, {"id": "id_field", "class": "grid", "required": True}]
)
def test_checkbox_lists_are_written_as_django_writes_them(value, choices, attrs):
    fast, plain = both(
        widgets.CheckboxSelectMultiple,
        forms.CheckboxSelectMultiple,
        choices=choices,
        value=value,
        attrs=attrs,
    )
    assert fast == plain


@pytest.mark.parametrize("value", [None, "", "ux", "x"])
@pytest.mark.parametrize("attrs", [None, {"id": "id_field", "aria-describedby": "id_field_helptext"}])
def test_radio_lists_are_written_as_django_writes_them(value, attrs):
    fast, plain = both(widgets.RadioSelect, forms.RadioSelect, choices=CHOICES, value=value, attrs=attrs)
    assert fast == plain


@pytest.mark.parametrize("value", [None, "", "go", "none", "x"])
@pytest.mark.parametrize("choices", [[("", "Any"), *CHOICES], GROUPED])
@pytest.mark.parametrize("attrs", [None, {"id": "id_field", "disabled": True, "data-x": 'a"b'}])
def test_selects_are_written_as_django_writes_them(value, choices, attrs):
    fast, plain = both(widgets.Select, forms.Select, choices=choices, value=value, attrs=attrs)
    assert fast == plain


def test_a_bound_field_draws_the_same_whole_field():
    class Plain(forms.Form):
        skills = forms.MultipleChoiceField(
            choices=CHOICES, widget=forms.CheckboxSelectMultiple, help_text="Pick"
        )
        language = forms.ChoiceField(choices=CHOICES, help_text="One")

    class Fast(forms.Form):
        skills = forms.MultipleChoiceField(
            choices=CHOICES, widget=widgets.CheckboxSelectMultiple, help_text="Pick"
        )
        language = forms.ChoiceField(choices=CHOICES, help_text="One", widget=widgets.Select)

    data = {"skills": ["ux"], "language": "x"}
    assert str(Fast(data)["skills"]) == str(Plain(data)["skills"])
    assert str(Fast(data)["language"]) == str(Plain(data)["language"])


@pytest.mark.parametrize(
    ("fast_class", "django_class"),
    [
        (widgets.TextInput, forms.TextInput),
        (widgets.NumberInput, forms.NumberInput),
        (widgets.TimeInput, forms.TimeInput),
        (widgets.Textarea, forms.Textarea),
        (widgets.HiddenInput, forms.HiddenInput),
        (widgets.CheckboxInput, forms.CheckboxInput),
    ],
)
@pytest.mark.parametrize("value", [None, "", "09:30", 'a <b>"quoted"</b> & more', 0, True, False])
@pytest.mark.parametrize(
    "attrs", [None, {"id": "id_need", "rows": 4, "placeholder": "Say…\n…more", "required": True}]
)
def test_single_inputs_are_written_as_django_writes_them(fast_class, django_class, value, attrs):
    fast = fast_class().render("field", value, attrs=attrs)
    assert fast == django_class().render("field", value, attrs=attrs)
