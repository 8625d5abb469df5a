"""What the mentors app tells the apps above it (core/hooks.py explains hooks)."""

from core.hooks import Hook

# A mentor's hours or booking rules changed (or they entered or left the marketplace), inside the
# transaction that changed them: what is computed from their free time follows. Receivers:
# sessions (the free-slot preview, in a worker after commit) and matching (the rankings that
# show this mentor).
availability_changed = Hook("availability_changed", "mentor_id")

# The mentor entered or left the marketplace (approved, suspended, reinstated, deleted), inside the
# transaction that changed their standing. Receivers: sessions (the lowest published price the
# directory sorts by). availability_changed follows it.
listing_changed = Hook("listing_changed", "mentor_id")
