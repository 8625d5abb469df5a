from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.errors import DomainError

from . import selectors, services
from .forms import DeleteAccountForm, SettingsForm


@login_required
def account_settings(request):
    form = SettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Settings saved.")
        return redirect("accounts:settings")
    return render(request, "accounts/settings.html", {"form": form}, status=400 if form.is_bound else 200)


@require_GET
@login_required
def data_export(request):
    """Everything we hold about the signed-in person, as a JSON download."""
    response = JsonResponse(
        selectors.personal_data(user=request.user), encoder=DjangoJSONEncoder, json_dumps_params={"indent": 2}
    )
    response["Content-Disposition"] = f'attachment; filename="thementors-data-{timezone.now():%Y-%m-%d}.json"'
    return response


@login_required
def account_delete(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    blockers = services.account_open_commitments(user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_delete(user=request.user)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            logout(request)
            messages.success(
                request, "Your account is deleted. Thank you for having been part of TheMentors."
            )
            return redirect("home")
    context = {"form": form, "blockers": blockers}
    return render(request, "accounts/delete.html", context, status=400 if form.is_bound else 200)
