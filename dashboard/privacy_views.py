"""The person's own data: the JSON download and deleting the account (/settings/my-data.json,
/settings/delete/, in the accounts namespace beside the settings page: config/urls.py)."""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.forms import DeleteAccountForm
from core.errors import DomainError

from . import privacy


@require_GET
@login_required
def data_export(request):
    """Everything we hold about the signed-in person, as a JSON download."""
    response = JsonResponse(
        privacy.personal_data(user=request.user), encoder=DjangoJSONEncoder, json_dumps_params={"indent": 2}
    )
    response["Content-Disposition"] = f'attachment; filename="thementors-data-{timezone.now():%Y-%m-%d}.json"'
    return response


@login_required
@reauthentication_required(allow_get=True)
def account_delete(request):
    form = DeleteAccountForm(request.POST if request.method == "POST" else None, user=request.user)
    blockers = privacy.account_open_commitments(user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            privacy.account_delete(user=request.user)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            logout(request)
            messages.success(
                request, _("Your account is deleted. Thank you for having been part of TheMentors.")
            )
            return redirect("home")
    context = {"form": form, "blockers": blockers}
    return render(request, "dashboard/delete_account.html", context, status=400 if form.is_bound else 200)


urlpatterns = [
    path("my-data.json", data_export, name="data_export"),
    path("delete/", account_delete, name="delete"),
]
