"""Form errors are announced by a live region around the list, and each field names its errors."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from tests.sessions.helpers import NOW, form_data

pytestmark = pytest.mark.django_db


class Elements(HTMLParser):
    """Each element's tag, attributes and its parent's attributes."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.found: list[tuple[str, dict, dict]] = []

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        parent = self.stack[-1][1] if self.stack else {}
        self.found.append((tag, attributes, parent))
        if tag not in self.VOID:
            self.stack.append((tag, attributes))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass


def elements(html: str) -> list[tuple[str, dict, dict]]:
    parser = Elements()
    parser.feed(html)
    return parser.found


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"outcome": ""}, "outcome"), ({"starts_at": "not-a-time"}, None)],  # starts_at is a hidden input
)
def test_booking_errors_are_a_list_inside_an_alert_and_the_field_points_at_them(
    client, offering, mentee, overrides, field
):
    client.force_login(mentee)
    response = client.post(reverse("sessions:book", args=[offering.slug]), form_data(**overrides))
    assert response.status_code == 400
    found = elements(response.content.decode())
    lists = [(a, parent) for tag, a, parent in found if "errorlist" in a.get("class", "").split()]
    assert lists
    for attributes, parent in lists:
        assert "role" not in attributes  # a <ul> keeps its list role, so its items stay list items
        assert parent.get("role") == "alert"
    ids = {a["id"] for a, _ in lists if "id" in a}
    invalid = [a for tag, a, _ in found if a.get("aria-invalid") == "true"]
    for attributes in invalid:
        assert set(attributes.get("aria-describedby", "").split()) & ids
    if field:
        assert [a.get("name") for a in invalid] == [field] and f"id_{field}_error" in ids


def test_no_template_gives_a_list_a_role():
    templates = Path(settings.BASE_DIR) / "templates"
    offenders = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        for line in path.read_text().splitlines()
        if "<ul" in line and 'role="alert"' in line.split("<ul", 1)[1].split(">", 1)[0]
    ]
    assert offenders == []
