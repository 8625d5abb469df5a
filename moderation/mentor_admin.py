"""The mentors in the admin, as staff moderate them: applications approved or rejected with a
reason, suspensions and reinstatements (moderation.standing), strikes and suspensions at a glance."""

from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core import images, pagecache
from core.admin import DecisionForm, ReadOnlyAdmin, act_on_each
from mentors.hooks import availability_changed
from mentors.models import DateOverride, MentorProfile, Suspension, WeeklyRule
from mentors.selectors import directory_vocabulary_changed
from mentors.services import MentorError

from . import standing
from .models import Strike
from .selectors import upheld_strikes


class RejectForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), label=_("Reason sent to the applicant")
    )


class MentorProfileAdminForm(forms.ModelForm):
    """A photo uploaded by staff gets the same checks and re-encoding as an applicant's.
    (No Meta: the admin builds the form from the model and adds every field, as without it.)"""

    photo = forms.FileField(
        required=False, widget=forms.ClearableFileInput(attrs={"accept": images.ACCEPT_ATTRIBUTE})
    )

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        return images.image_clean(photo) if isinstance(photo, UploadedFile) else photo


class WeeklyRuleInline(admin.TabularInline):
    model = WeeklyRule
    extra = 0


class DateOverrideInline(admin.TabularInline):
    model = DateOverride
    extra = 0


@admin.register(MentorProfile)
class MentorProfileAdmin(admin.ModelAdmin):
    form = MentorProfileAdminForm
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
        "suspensions",
        "strikes",
    ]
    autocomplete_fields = ["user"]
    filter_horizontal = ["skills", "languages"]
    inlines = [WeeklyRuleInline, DateOverrideInline]
    action_form = DecisionForm
    actions = ["approve", "reject", "suspend", "reinstate"]

    @admin.display(description=_("suspensions"))
    def suspensions(self, mentor: MentorProfile) -> str:
        url = reverse("admin:mentors_suspension_changelist") + f"?mentor__id__exact={mentor.pk}"
        return format_html('<a href="{}">{} suspension(s)</a>', url, mentor.suspensions.count())

    @admin.display(description=_("no-show strikes"))
    def strikes(self, mentor: MentorProfile) -> str:
        url = reverse("admin:moderation_strike_changelist") + f"?mentor__id__exact={mentor.pk}"
        upheld = upheld_strikes(mentor_id=mentor.pk, now=timezone.now()).count()
        pending = Strike.objects.filter(mentor=mentor, status=Strike.Status.PENDING).count()
        return format_html(
            '<a href="{}">{} upheld in the last 90 days, {} pending</a> (three upheld suspend)',
            url,
            upheld,
            pending,
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Its text, skills, languages or hours may have been edited: its cached pages, the lists,
        # and what is computed from its free time (the free-slot preview, rankings).
        pagecache.changed(pagecache.mentor(form.instance.pk))
        directory_vocabulary_changed()
        availability_changed.call(mentor_id=form.instance.pk)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        directory_vocabulary_changed()

    def _each(self, request, queryset, act, done: str, *, reason_required: bool = True) -> None:
        act_on_each(
            self,
            request,
            queryset,
            act,
            done=done,
            errors=(MentorError,),
            reason_required=reason_required,
        )

    @admin.action(
        description=_("Approve selected applications (e-mails the applicants)"), permissions=["change"]
    )
    def approve(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda mentor, reason: standing.mentor_review(
                mentor=mentor, approve=True, reason=reason, by=request.user
            ),
            _("Approved {} mentor(s)."),
            reason_required=False,
        )

    @admin.action(description=_("Reject selected applications with a reason…"), permissions=["change"])
    def reject(self, request, queryset):
        form = RejectForm(
            request.POST if "reason" in request.POST else None,
            initial={"reason": request.POST.get("note", "")},
        )
        if form.is_bound and form.is_valid():
            self._each(
                request,
                queryset,
                lambda mentor, _reason: standing.mentor_review(
                    mentor=mentor, approve=False, reason=form.cleaned_data["reason"], by=request.user
                ),
                _("Rejected {} application(s)."),
                reason_required=False,
            )
            return None
        return render(
            request,
            "admin/mentors/reject.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "mentors": queryset,
                "title": _("Reject applications"),
            },
        )

    @admin.action(description=_("Suspend selected mentors — needs a reason"), permissions=["change"])
    def suspend(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda mentor, reason: standing.mentor_suspend(mentor=mentor, by=request.user, reason=reason),
            _("Suspended {} mentor(s); their future sessions are cancelled and refunded."),
        )

    @admin.action(description=_("Reinstate selected mentors — needs a reason"), permissions=["change"])
    def reinstate(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda mentor, reason: standing.mentor_reinstate(mentor=mentor, by=request.user, reason=reason),
            _("Reinstated {} mentor(s)."),
        )


@admin.register(Suspension)
class SuspensionAdmin(ReadOnlyAdmin):
    list_display = ["mentor", "started_at", "automatic", "started_by", "reason", "ended_at", "ended_by"]
    list_filter = ["automatic", ("ended_at", admin.EmptyFieldListFilter)]
    list_select_related = ["mentor__user", "started_by", "ended_by"]
    search_fields = ["mentor__user__email", "mentor__user__display_name", "reason", "end_reason"]
    date_hierarchy = "started_at"
    fields = readonly_fields = [
        "mentor",
        "reason",
        "automatic",
        "started_at",
        "started_by",
        "ended_at",
        "ended_by",
        "end_reason",
        "offering_ids",
        "plan_ids",
        "cohort_ids",
    ]
