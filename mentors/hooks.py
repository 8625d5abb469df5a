"""What the mentors app tells the apps above it (core/hooks.py explains hooks)."""

from core.hooks import Hook

# A mentor's hours or booking rules changed (or they entered or left the marketplace), inside the
# transaction that changed them: what is computed from their free time follows. Receivers:
# matching (the rankings that show this mentor).
availability_changed = Hook("availability_changed", "mentor_id")
