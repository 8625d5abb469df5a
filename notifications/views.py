from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .models import Notification
from .tokens import CheckinLinkError


@require_http_methods(["GET", "POST"])
def checkin(request, token: str, answer: str):
    """A check-in link from the e-mail: GET only asks (mail scanners open links), POST answers.

    No login: the signed token names the one action item this page may touch.
    """
    try:
        if request.method == "POST":
            item = services.checkin_answer(token=token, answer=answer)
            template = "notifications/checkin_answered.html"
        else:
            item = selectors.checkin_action_item(token=token)
            template = "notifications/checkin.html"
    except CheckinLinkError as error:
        return render(
            request, "notifications/checkin_invalid.html", {"message": error.message}, status=error.status
        )
    context = {"item": item, "booking": item.booking, "done": answer == Notification.Answer.DONE}
    return render(request, template, context)
