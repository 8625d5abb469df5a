from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from core.emails import templated_email

from .models import WebhookDelivery, WebhookEndpoint


def send_endpoint_turned_off(*, endpoint_id: int) -> None:
    """We turned the mentor's endpoint off: nothing reached it for three days. What it last
    answered, and where to turn it on again."""
    endpoint = WebhookEndpoint.objects.select_related("mentor__user").filter(pk=endpoint_id).first()
    if endpoint is None or endpoint.is_active or endpoint.turned_off_at is None:
        return  # deleted, or on again (or turned off by hand) since
    last = (
        WebhookDelivery.objects.filter(endpoint=endpoint, last_attempt_at__lte=endpoint.turned_off_at)
        .order_by("-last_attempt_at")
        .first()
    )
    user = endpoint.mentor.user
    templated_email(
        template="webhooks/email/turned_off",
        subject=lambda: _("Your webhook endpoint is turned off: nothing reached it for three days"),
        to=[user.email],
        context={
            "endpoint": endpoint,
            "last": last,
            "user": user,
            "page": settings.SITE_URL + reverse("webhooks:endpoint", args=[endpoint.pk]),
        },
        zone=user.zone,
    ).send()
