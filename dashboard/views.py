from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from billing.models import ConnectedAccount
from matching.selectors import intake_of, recommendations_of
from matching.services import impressions_log
from mentors.models import MentorProfile
from qa.selectors import inbox_for
from subscriptions.selectors import mentee_subscriptions

from . import selectors


@login_required
def home(request):
    mentor = MentorProfile.objects.filter(user=request.user).first()
    context = {
        "mentor": mentor,
        "mentee": selectors.mentee_dashboard(request.user),
        "subscriptions": mentee_subscriptions(user=request.user),
        "inbox": inbox_for(user=request.user),
        "recommended": recommendations_of(user=request.user)[:3],
        "match_intake": intake_of(request.user),
    }
    impressions_log(user=request.user, recommendations=context["recommended"])
    if mentor and mentor.is_approved:
        context["mentoring"] = selectors.mentor_dashboard(mentor)
        context["payout_account"] = ConnectedAccount.objects.filter(mentor=mentor).first()
    return render(request, "dashboard/home.html", context)
