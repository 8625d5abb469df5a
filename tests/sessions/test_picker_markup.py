"""The slot picker's grid and times are written in Python (sessions/templatetags/picker.py) for
speed; they must write exactly what the template wrote before. `reference/slot_picker.html` is
that template as it was, kept only to compare against: the same context rendered through both
gives the same page, for a plain month, a chosen time, the 12-hour clock, times inside the
cancellation window, an escaped label and a month with nothing free."""

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.template import Context, Template
from django.template.loader import get_template

from tests.factories import OfferingFactory
from tests.sessions.helpers import NOW

pytestmark = pytest.mark.django_db

REFERENCE = Template((Path(__file__).parent / "reference" / "slot_picker.html").read_text())
KEYS = (
    "day", "day_error", "slots", "slot_groups", "chosen", "month", "weekday_names", "weeks",
    "month_has_free_days", "prev_month", "next_month",
)  # fmt: skip


def _both(client, offering, language="en-GB", **params):
    response = client.get(offering.get_absolute_url(), params, headers={"Accept-Language": language})
    assert response.status_code == 200
    context = {key: response.context[key] for key in KEYS}
    context |= {"request": response.wsgi_request, "base": offering.get_absolute_url()}
    ours = get_template("components/slot_picker.html").template.render(Context(context))
    return REFERENCE.render(Context(context)), ours


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "language, params",
    [
        ("en-GB", {}),
        ("en-US", {}),
        ("en-GB", {"month": "2026-07"}),
        ("en-GB", {"day": "2026-06-02"}),
        ("en-US", {"day": "2026-06-02", "slot": "2026-06-02T13:00:00+00:00"}),
        ("en-GB", {"day": "not a day"}),
    ],
)
def test_the_picker_writes_what_the_template_wrote(client, language, params):
    offering = OfferingFactory(price_amount=4000, title='Review "<your> CV" & more')
    reference, ours = _both(client, offering, language, **params)

    assert ours == reference
    assert 'class="free' in ours and "hx-get=" in ours


@time_machine.travel(NOW, tick=False)
def test_times_inside_the_cancellation_window_carry_their_note_as_before(client):
    offering = OfferingFactory(price_amount=4000, cancellation_window_hours=72)
    today = NOW.date()
    reference, ours = _both(client, offering, day=(today + timedelta(days=1)).isoformat())

    assert ours == reference
    assert 'class="late" id="late-1-1"' in ours


@time_machine.travel(NOW, tick=False)
def test_a_month_with_nothing_free_is_written_as_before(client):
    offering = OfferingFactory(mentor__weekdays=False)
    reference, ours = _both(client, offering)

    assert ours == reference
    assert "No free times in June" in ours
