from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from core.errors import DomainError
from qa.models import Message
from sessions.models import Review

from . import selectors, services
from .forms import ReportForm


def _safe_next(request, candidate: str | None) -> str | None:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def _page_of(target) -> str:
    """Where the reported object is shown."""
    if isinstance(target, Review):
        return target.booking.mentor.get_absolute_url()
    if isinstance(target, Message):
        return target.thread.get_absolute_url() + f"#message-{target.pk}"
    return target.get_absolute_url()


@login_required
def report(request, kind: str, object_id: int):
    """A form to report a review, a message, a mentor profile or an offering the viewer can see."""
    try:
        target = selectors.report_target_for_viewer(kind=kind, object_id=object_id, user=request.user)
    except selectors.NotReportable:
        raise Http404("Nothing to report here.") from None
    back = _safe_next(request, request.POST.get("next") or request.GET.get("next")) or _page_of(target)
    own = selectors.author_id_of(target) == request.user.pk
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                services.report_create(
                    reporter=request.user,
                    target=target,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Thank you. Staff will look at your report.")
                if request.htmx:
                    response = render(request, "moderation/report.html#done", {"back": back})
                    response["HX-Redirect"] = back
                    return response
                return redirect(back)
    else:
        form = ReportForm(initial={"next": back})
    context = {
        "form": form,
        "kind": kind,
        "target": target,
        "description": selectors.describe(target),
        "back": back,
        "own": own,
    }
    template = "moderation/report.html#report_form" if request.htmx else "moderation/report.html"
    return render(request, template, context, status=400 if form.errors else 200)
