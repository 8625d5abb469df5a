from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import IndexedSearchAdmin, ReadOnlyAdmin

from .models import Impression, Intake, RankingModel, Recommendation


@admin.register(Intake)
class IntakeAdmin(ReadOnlyAdmin):
    list_display = ["user", "format", "budget_amount", "currency", "budget_per", "updated_at"]
    list_filter = ["format", "currency", "budget_per"]
    search_fields = ["user__email"]
    list_select_related = ["user"]


@admin.register(Recommendation)
class RecommendationAdmin(IndexedSearchAdmin, ReadOnlyAdmin):
    list_display = ["user", "position", "kind", "title", "score", "explored", "computed_at"]
    list_filter = ["kind", "explored"]
    search_fields = ["=user__email", "^title"]
    list_select_related = ["user"]
    show_full_result_count = False


@admin.register(Impression)
class ImpressionAdmin(IndexedSearchAdmin, ReadOnlyAdmin):
    list_display = ["shown_on", "kind", "object_id", "position", "explored", "clicked_at"]
    list_filter = ["kind", "explored", "shown_on"]
    search_fields = ["=user__email"]
    show_full_result_count = False


@admin.register(RankingModel)
class RankingModelAdmin(ReadOnlyAdmin):
    """Each retraining's decision, and the held-out ranking figures it was taken on."""

    list_display = [
        "trained_at",
        "adopted_because",
        "ndcg",
        "interval",
        "holdout_mentees",
        "log_losses",
        "examples",
        "is_active",
    ]
    list_filter = ["adopted", "verdict", "is_active"]
    fields = readonly_fields = [
        "trained_at",
        "is_active",
        "adopted",
        "verdict",
        "note",
        "holdout_mentees",
        "current_ndcg",
        "candidate_ndcg",
        "interval",
        "current_log_loss",
        "holdout_log_loss",
        "examples",
        "weights",
        "gate",
    ]

    @admin.display(description=_("adopted?"), ordering="adopted")
    def adopted_because(self, model: RankingModel) -> str:
        said = "yes" if model.adopted else "no"
        why = model.verdict or model.note  # rows from before the ranking gate have a note only
        return f"{said} — {why}" if why else said

    @admin.display(description=_("NDCG@10: current → this"))
    def ndcg(self, model: RankingModel) -> str:
        if model.current_ndcg is None or model.candidate_ndcg is None:
            return "—"
        return f"{model.current_ndcg:.3f} → {model.candidate_ndcg:.3f}"

    @admin.display(description=_("interval (95 %)"))
    def interval(self, model: RankingModel) -> str:
        if model.difference_low is None or model.difference_high is None:
            return "—"
        return f"{model.difference_low:+.3f} to {model.difference_high:+.3f}"

    @admin.display(description=_("log-loss (information)"))
    def log_losses(self, model: RankingModel) -> str:
        if model.holdout_log_loss is None:
            return "—"
        current = "—" if model.current_log_loss is None else f"{model.current_log_loss:.4f}"
        return f"{current} → {model.holdout_log_loss:.4f}"
