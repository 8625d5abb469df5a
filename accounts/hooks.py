"""What the accounts app tells the apps above it (core/hooks.py explains hooks)."""

from core.hooks import Hook

# A person asked for their data (dashboard.privacy.personal_data): each receiver answers with
# the sections it keeps about them, {"section name": rows}, or {} when it keeps nothing.
# Receivers: api (their tokens), embed (their booking widget).
personal_data_asked = Hook("personal_data_asked", "user -> dict")

# A person's account is being erased (dashboard.privacy.account_delete), inside its transaction:
# each receiver deletes what it keeps about them that bookkeeping does not need.
# Receivers: api (their tokens), embed (their booking widget).
account_erasing = Hook("account_erasing", "user")
