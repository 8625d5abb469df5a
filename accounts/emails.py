from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from core.emails import templated_email

from .models import KnownDevice


def send_new_device(*, device_id: int) -> None:
    """A browser not seen before signed in to an account with a second factor or a staff account."""
    device = KnownDevice.objects.select_related("user").filter(pk=device_id).first()
    if device is None:
        return
    user = device.user
    templated_email(
        template="accounts/email/new_device",
        subject=lambda: _("A new sign-in to your TheMentors account"),
        to=[user.email],
        context={
            "user": user,
            "device": device,
            "sessions": settings.SITE_URL + reverse("usersessions_list"),
            "password": settings.SITE_URL + reverse("account_change_password"),
        },
        zone=user.zone,
    ).send()
