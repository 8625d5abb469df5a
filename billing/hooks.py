"""How billing's ladder up reaches the apps above it (core.hooks explains hooks).

After a well-rated session the mentee is offered the mentor's cohort or plan, with an upgrade
credit (billing.ladder). What there is to offer, and whether a credit was spent on something
that was kept, are for `cohorts` and `subscriptions` to say; the e-mail is for `notifications`.
Each registers from its AppConfig.ready().
"""

from core.hooks import Hook

# "What would you offer this mentee?" Receivers: cohorts (the soonest open cohort they have no
# place in), subscriptions (the cheapest published plan, unless they subscribe already). Each
# answers {UpgradeOffer field: the object} ({"cohort": cohort}, {"plan": plan}) or None.
upgrade_offer_target = Hook("upgrade_offer_target", "mentor, mentee, currency, now -> {field: object} | None")

# "Where can these credits be spent?" Each receiver answers {offer.pk: [UpgradeTarget, …]} for the
# offers (its open cohorts or published plans of the offer's mentor, in its currency, the one the
# e-mail named first, at most `per_kind`), in one query for all of them.
upgrade_spend_targets = Hook("upgrade_spend_targets", "offers, now, per_kind -> {offer pk: [UpgradeTarget]}")

# "Which purchases made with a credit were kept?" Each receiver answers a Q over UpgradeOffer
# (a seat a member kept; a subscription past its first payment).
upgrade_credit_kept = Hook("upgrade_credit_kept", "-> Q over UpgradeOffer")

# An offer was made (inside the review's transaction): notifications schedules its e-mail.
upgrade_offer_created = Hook("upgrade_offer_created", "offer, at")
