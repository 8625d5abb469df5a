"""The mentor's promotion codes page: make codes, see their uses, switch them off."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.forms import show_error
from mentors.selectors import own_mentor_profile

from . import code_selectors
from .codes_models import PromotionCode
from .forms import PromotionCodeForm
from .services import codes


@login_required
def mentor_codes(request):
    mentor = own_mentor_profile(user=request.user)
    form = PromotionCodeForm(request.POST or None, zone=mentor.zone)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                code = codes.code_create(by=request.user, mentor=mentor, **form.service_fields())
            except DomainError as error:
                show_error(form, error)
            else:
                messages.success(
                    request,
                    _("The code %(code)s is live: %(off)s.") % {"code": code.code, "off": code.off_display},
                )
                return redirect("billing:codes")
    context = {
        "mentor": mentor,
        "form": form,
        "codes": code_selectors.mentor_codes(mentor=mentor),
        "now": timezone.now(),
        **code_selectors.mentor_code_figures(mentor=mentor),
    }
    return render(request, "billing/codes.html", context, status=status)


@login_required
@require_POST
def code_deactivate(request, code_id):
    mentor = own_mentor_profile(user=request.user)
    code = PromotionCode.objects.filter(pk=code_id, mentor=mentor).select_related("mentor").first()
    if code is None:
        raise Http404("No such code.")
    codes.code_deactivate(code=code, by=request.user)
    messages.info(
        request,
        _("The code %(code)s is switched off; checkouts open with it still settle.") % {"code": code.code},
    )
    return redirect("billing:codes")
