"""A mentor's booking widget in their data export, and gone with their account (accounts/hooks.py)."""

from .models import Widget


def personal_data(*, user) -> dict:
    widget = Widget.objects.filter(mentor__user=user).first()
    if widget is None:
        return {}
    return {"booking_widget": {"allowed_origins": widget.allowed_origins, "accent": widget.accent}}


def erase(*, user) -> None:
    Widget.objects.filter(mentor__user=user).delete()
