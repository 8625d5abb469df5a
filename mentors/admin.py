from django import forms
from django.contrib import admin, messages
from django.shortcuts import render

from . import services
from .models import DateOverride, Language, MentorProfile, Skill, WeeklyRule
from .selectors import directory_vocabulary_changed


class RejectForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Reason sent to the applicant")


class WeeklyRuleInline(admin.TabularInline):
    model = WeeklyRule
    extra = 0


class DateOverrideInline(admin.TabularInline):
    model = DateOverride
    extra = 0


@admin.register(MentorProfile)
class MentorProfileAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "headline",
        "status",
        "timezone",
        "rating_average",
        "rating_count",
        "applied_at",
    ]
    list_filter = ["status", "skills", "languages"]
    search_fields = ["user__email", "user__display_name", "headline"]
    list_select_related = ["user"]
    readonly_fields = [
        "status",
        "review_reason",
        "reviewed_at",
        "applied_at",
        "rating_average",
        "rating_count",
        "action_items_total",
        "action_items_done",
        "upcoming_slots",
        "next_free_slot_at",
    ]
    autocomplete_fields = ["user"]
    filter_horizontal = ["skills", "languages"]
    inlines = [WeeklyRuleInline, DateOverrideInline]
    actions = ["approve", "reject"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        directory_vocabulary_changed()  # skills or languages may have been edited

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        directory_vocabulary_changed()

    @admin.action(description="Approve selected applications (e-mails the applicants)")
    def approve(self, request, queryset):
        for mentor in queryset:
            services.mentor_review(mentor=mentor, approve=True, by=request.user)
        self.message_user(request, f"Approved {queryset.count()} mentor(s).", messages.SUCCESS)

    @admin.action(description="Reject selected applications with a reason…")
    def reject(self, request, queryset):
        form = RejectForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            for mentor in queryset:
                services.mentor_review(
                    mentor=mentor,
                    approve=False,
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            self.message_user(request, f"Rejected {queryset.count()} application(s).", messages.SUCCESS)
            return None
        return render(
            request,
            "admin/mentors/reject.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "mentors": queryset,
                "title": "Reject applications",
            },
        )


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        directory_vocabulary_changed()


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        directory_vocabulary_changed()
