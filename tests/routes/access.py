"""Who asks, and what each gets: the roles of the authorization matrix and their answers.

`side` says whose object a route is about: "mentee" makes the mentee the owner and the mentor
the counterpart, "mentor" the other way round. Other people's objects answer 404, never 403, so
their existence stays hidden; anonymous visitors are sent to log in.
"""

from __future__ import annotations

from tests.routes.world import World

ROLES = ("owner", "counterpart", "other_mentee", "other_mentor", "anonymous", "moderator", "superuser")
LOGIN = "login"  # 302 to the login page
ALIVE = (200, 503)  # /healthz answers 503 when the broker is down; it shows no object either way


def codes(default=404, *, anonymous=LOGIN, **roles) -> dict:
    """Each role's answer: `default` unless named; anonymous visitors are sent to log in."""
    unknown = set(roles) - set(ROLES)
    assert not unknown, unknown
    return {role: roles.get(role, default) for role in ROLES} | {"anonymous": anonymous}


EVERYONE = codes(200, anonymous=200)
SIGNED_IN = codes(200)
# A page every mentor has for their own things; anyone without a mentor profile gets 404.
MENTORS = codes(owner=200, other_mentor=200)
# Only the owner; everybody else, staff included, gets 404.
OWNER = codes(owner=200)
# The two people of a booking, subscription or cohort, and staff, who read.
PARTIES_AND_STAFF = codes(owner=200, counterpart=200, moderator=200, superuser=200)
# A view that only accepts POST: GET is 405 once signed in.
POST_ONLY = codes(405)
OWNER_ONLY = frozenset({"owner"})

DEMO = {"DEBUG": True, "BILLING_PROVIDER": "demo"}
WEBHOOK_SECRETS = {"STRIPE_WEBHOOK_SECRET": "whsec_matrix", "STRIPE_CONNECT_WEBHOOK_SECRET": "whsec_matrix"}


def user_for(world: World, side: str, role: str):
    """The world's user who plays `role` for a route about the `side`'s object (None: signed out)."""
    other = "mentor" if side == "mentee" else "mentee"
    who = {"owner": side, "counterpart": other}.get(role, role)
    return None if who == "anonymous" else getattr(world, who)
