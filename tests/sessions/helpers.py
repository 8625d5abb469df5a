"""The booking form as the offering page posts it, at a frozen Monday morning."""

from datetime import datetime
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 6, 1, 6, 0, tzinfo=ZoneInfo("UTC"))  # Monday
SLOT = datetime(2026, 6, 2, 10, 0, tzinfo=BERLIN)


def form_data(**overrides):
    data = {
        "starts_at": SLOT.isoformat(),
        "outcome": "A decision between two offers",
        "prework_0": "Two offers",
        "prework_1": "Growth",
        "context_notes": "",
        "links": "",
    }
    data.update(overrides)
    return data
