from django.contrib import admin

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
    list_display = ["trained_at", "examples", "holdout_log_loss", "is_active", "note"]
