"""Matching: the mentee's intake, their cached ranking (with reasons), what they were shown and
did (for learning), and the ranking model's weights."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.money import CURRENCIES
from mentors.models import Language, MentorProfile, Skill

WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]


class Intake(models.Model):
    """What the mentee wants help with, saved to their profile and editable."""

    class Format(models.TextChoices):
        ANY = "any", _("Anything that fits")
        SINGLE = "single", _("A single session")
        COHORT = "cohort", _("A cohort (learn with a group)")
        ONGOING = "ongoing", _("Ongoing (a monthly plan)")

    class BudgetPer(models.TextChoices):
        SESSION = "session", _("one 1:1 session")
        SEAT = "seat", _("one cohort seat")
        MONTH = "month", _("one month of a plan")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="match_intake"
    )
    need = models.TextField(_("what do you want help with?"), max_length=2000, blank=True)
    skills = models.ManyToManyField(Skill, blank=True, related_name="+")
    budget_amount = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(10_000_000)],
        help_text="Minor units, per `budget_per`.",
    )
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="USD")
    budget_per = models.CharField(
        max_length=8,
        choices=BudgetPer.choices,
        default=BudgetPer.SESSION,
        help_text="What the budget is for: it is compared with the price of that kind of item only.",
    )
    days = models.JSONField(default=list, blank=True, help_text="Weekdays 0 (Monday) to 6.")
    hours_from = models.TimeField(null=True, blank=True)
    hours_to = models.TimeField(null=True, blank=True)
    language = models.ForeignKey(Language, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    format = models.CharField(max_length=8, choices=Format.choices, default=Format.ANY)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Intake of {self.user}"


class MatchPage(models.Model):
    """How a mentee's cached ranking (`Recommendation`, by position) is laid out: which places are
    the main results and which fall in a labelled group ("Also good, in English", "A little
    above your budget"), each result's price in the mentee's currency, and each mentor's other
    items ("more from this mentor"). Written with the ranking; its time says the ranking answers
    the intake even when nothing matched."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    currency = models.CharField(max_length=3)
    # [{"key": "main" | "language" | "budget" | "closest", "label": str, "positions": [int]}]
    groups = models.JSONField(default=list)
    # {"<position>": {"price": int | null, "more": [{"title", "url", "price_amount", "currency",
    #  "price"}]}}: prices in `currency`, null when not converted
    extras = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Match page of {self.user}"


class Recommendation(models.Model):
    """One place of a mentee's cached ranking, with the reasons it was chosen."""

    class Kind(models.TextChoices):
        OFFERING = "offering", _("Offering")
        COHORT = "cohort", _("Cohort")
        PLAN = "plan", _("Plan")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recommendations"
    )
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    url = models.CharField(max_length=300)
    price_amount = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    score = models.FloatField()
    signals = models.JSONField(default=dict)
    reasons = models.JSONField(default=list)
    explored = models.BooleanField(default=False, help_text="Shown to give a new mentor a chance.")
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["user", "position"]
        constraints = [
            models.UniqueConstraint(fields=["user", "position"], name="one_recommendation_per_place")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"

    @property
    def shown_key(self) -> str:
        """What a page posts back to say it showed this result (it outlives a re-ranking)."""
        return f"{self.kind}:{self.object_id}"


class Impression(models.Model):
    """A recommendation shown to a mentee, and whether they clicked it: the training data (what
    they then bought is read from their bookings, seats and subscriptions when training). Only
    ids and the signals are kept; nothing leaves the database."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Recommendation.Kind.choices)
    object_id = models.PositiveBigIntegerField()
    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    signals = models.JSONField(default=dict)
    explored = models.BooleanField(default=False)
    shown_on = models.DateField()
    clicked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "mentor"]), models.Index(fields=["shown_on"])]
        constraints = [
            # One row per thing shown to a person per day: reloading the page logs nothing new.
            models.UniqueConstraint(
                fields=["user", "kind", "object_id", "shown_on"], name="one_impression_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} shown {self.shown_on}"


class RankingModel(models.Model):
    """Weights of the logistic ranking model; the active one ranks. Each row keeps the learning
    gate's decision (matching.learning.choose) and the held-out figures it was taken on."""

    weights = models.JSONField()
    examples = models.PositiveIntegerField(default=0)
    holdout_log_loss = models.FloatField(
        "held-out log-loss of this model",
        null=True,
        blank=True,
        help_text="For information; decides nothing.",
    )
    is_active = models.BooleanField(default=False)
    note = models.CharField("decision", max_length=300, blank=True)
    trained_at = models.DateTimeField(auto_now_add=True)
    adopted = models.BooleanField(
        "adopted", default=False, help_text="It replaced the weights that ranked when it was trained."
    )
    verdict = models.CharField(
        "why",
        max_length=60,
        blank=True,
        help_text="The gate's verdict in a few words; the decision says it with figures.",
    )
    holdout_mentees = models.PositiveIntegerField(
        "held-out mentees",
        default=0,
        help_text="Held-out mentees with a booking and a non-booking among what they were shown.",
    )
    current_ndcg = models.FloatField(
        "NDCG@10 of the current weights", null=True, blank=True, help_text="Mean over the held-out mentees."
    )
    candidate_ndcg = models.FloatField(
        "NDCG@10 of this model", null=True, blank=True, help_text="Mean over the held-out mentees."
    )
    difference_low = models.FloatField(
        "interval low", null=True, blank=True, help_text="95 % bootstrap interval of this − current NDCG@10."
    )
    difference_high = models.FloatField("interval high", null=True, blank=True)
    current_log_loss = models.FloatField(
        "held-out log-loss of the current weights", null=True, blank=True, help_text="For information only."
    )
    gate = models.JSONField(
        "all gate figures", default=dict, blank=True, help_text="Hit-rates, counts and settings of the gate."
    )

    class Meta:
        ordering = ["-trained_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="one_active_model"
            )
        ]

    def __str__(self) -> str:
        return f"Model of {self.trained_at:%Y-%m-%d %H:%M}{' (active)' if self.is_active else ''}"
