from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.money import format_money
from core.one_click import is_one_click

from . import selectors, services
from .forms import IntakeForm
from .models import Intake, MatchPage
from .ranking import FEW

# What an anonymous visitor typed, kept in their session while they log in.
DRAFT_KEY = "matching:intake-draft"
# The results partial polls every 2 s while the worker ranks; after this many polls it stops
# and says so (a marketplace with nothing to rank, or a worker that is down, never answers).
POLL_LIMIT = 30


def _state(intake: Intake | None, page: MatchPage | None, recommendations: list, *, zone) -> str:
    """`empty`: nothing to match on yet; `pending`: the ranking is older than the intake;
    `ready`: the ranking answers the intake as it is now (even if nothing matched)."""
    if selectors.need_from(intake, zone=zone).is_empty:
        return "empty"
    if page is not None:
        computed_at = page.computed_at
    elif recommendations:
        computed_at = max(r.computed_at for r in recommendations)
    else:
        return "pending"
    return "pending" if intake.updated_at > computed_at else "ready"


def _asked(intake: Intake) -> str:
    """What the mentee asked for that filters, in words: "in Spanish, up to $10 a session"."""
    said = []
    if intake.language:
        said.append(_("in %(language)s") % {"language": intake.language.name})
    if intake.budget_amount is not None:
        up_to = {
            "session": _("up to %(budget)s a session"),
            "seat": _("up to %(budget)s a cohort seat"),
            "month": _("up to %(budget)s a month of a plan"),
        }
        free = {
            "session": _("free sessions only"),
            "seat": _("free cohort seats only"),
            "month": _("free plans only"),
        }
        budget = format_money(intake.budget_amount, intake.currency)
        said.append(
            free[intake.budget_per]
            if intake.budget_amount == 0
            else up_to[intake.budget_per] % {"budget": budget}
        )
    return ", ".join(said)


def _results(request, intake: Intake | None) -> dict:
    """The results panel: its state, the main results and the labelled groups below them, and
    a plain word when what was asked leaves few or none. The page itself reports what it showed
    (see `seen`)."""
    user = request.user
    recommendations = selectors.recommendations_of(user=user) if user.is_authenticated else []
    page = selectors.match_page_of(user=user)
    state = _state(intake, page, recommendations, zone=request.viewer_zone)
    context = {"state": state, "intake": intake}
    if state == "pending":
        try:
            polls = max(0, int(request.GET.get("poll", "0")))
        except ValueError:
            polls = 0
        context["gave_up"] = polls >= POLL_LIMIT
        context["next_poll"] = polls + 1
    elif state == "ready":
        groups = selectors.grouped(page, selectors.with_links(recommendations, user=user))
        main = next((g.results for g in groups if g.key == "main"), [])
        context["results"] = recommendations
        context["main"] = main
        context["groups"] = [g for g in groups if g.key != "main"]
        context["few"] = len(main) < FEW
        context["asked"] = _asked(intake)
    return context


@require_http_methods(["GET", "POST"])
def match(request):
    """The intake and the results, one page: GET shows both (the results partial to htmx's
    polling), POST saves the intake and comes back here."""
    if request.method == "POST":
        return _save(request)
    intake = selectors.intake_of(request.user)
    if request.htmx:
        return render(request, "matching/match.html#results", _results(request, intake))
    draft = request.session.pop(DRAFT_KEY, None) if request.user.is_authenticated else None
    if draft:
        form = IntakeForm(MultiValueDict(draft))
        messages.info(request, _("Here is what you typed before logging in: save it to see your matches."))
    else:
        form = IntakeForm.for_intake(intake)
    return render(request, "matching/match.html", {"form": form, **_results(request, intake)})


def _save(request):
    form = IntakeForm(request.POST)
    if form.is_valid() and not request.user.is_authenticated:
        request.session[DRAFT_KEY] = {
            key: values for key, values in request.POST.lists() if key != "csrfmiddlewaretoken"
        }
        messages.info(request, _("Log in or sign up to see your matches; your answers are kept."))
        return redirect_to_login(reverse("matching:match"))
    if form.is_valid():
        services.intake_save(user=request.user, **form.service_fields())
        messages.success(request, _("Saved. Change anything and save again to re-rank your matches."))
        return redirect(reverse("matching:match") + "#results")
    intake = selectors.intake_of(request.user)
    context = {"form": form, **_results(request, intake)}
    return render(request, "matching/match.html", context, status=400)


@login_required
@require_GET
def go(request, position: int):
    """One click from a result to its page, noted for learning when the link is the one we
    signed for the viewer (another site cannot make clicks up). Only the viewer's own results:
    the position is looked up in their ranking, never anyone else's."""
    recommendation = None
    if 1 <= position <= services.MAX_POSITIONS:
        recommendation = services.recommendation_click(
            user=request.user, position=position, counted=is_one_click(request)
        )
    if recommendation is None or not url_has_allowed_host_and_scheme(
        recommendation.url, allowed_hosts={request.get_host()}
    ):
        messages.info(request, _("That match is no longer in your list; here are your current ones."))
        return redirect("matching:match")
    return redirect(recommendation.url)


@login_required
@require_POST
def seen(request):
    """The results a page showed, posted by the page once it is on screen and logged as
    impressions for learning: a GET never writes, and prefetchers and crawlers never count.
    Only the viewer's own current results are logged, whatever else is posted."""
    shown = set(request.POST.getlist("shown"))
    recommendations = [r for r in selectors.recommendations_of(user=request.user) if r.shown_key in shown]
    services.impressions_log(user=request.user, recommendations=recommendations)
    return HttpResponse(status=204)
