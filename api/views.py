"""The settings page of a person's API tokens: make one (shown once), see when each was last used,
revoke one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.forms import show_error

from .forms import TokenForm
from .models import ApiToken
from .selectors import tokens_of
from .services import api_token_create, api_token_revoke


@never_cache  # the page that shows a new token once must not be kept anywhere
@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = api_token_create(user=request.user, **form.cleaned_data)
        except DomainError as error:
            show_error(form, error)
        else:
            created = {"token": token, "raw": raw}
            form = TokenForm()
    context = {"form": form, "tokens": tokens_of(request.user), "created": created}
    status = 400 if form.is_bound and not created else 200
    return render(request, "api/tokens.html", context, status=status)


@login_required
@require_POST
def revoke(request, token_id: int):
    token = ApiToken.objects.filter(pk=token_id, user=request.user).first()
    if token is None:
        raise Http404("No such token.")
    api_token_revoke(token=token, by=request.user)
    messages.success(request, _("Token “%(name)s” revoked: it no longer works.") % {"name": token.name})
    return redirect("accounts:api_tokens")
