from django.urls import path

from . import views
from .models import Notification

app_name = "notifications"
urlpatterns = [
    path(
        "<str:token>/done/",
        views.checkin,
        {"answer": Notification.Answer.DONE},
        name="checkin_done",
    ),
    path(
        "<str:token>/not-yet/",
        views.checkin,
        {"answer": Notification.Answer.NOT_YET},
        name="checkin_not_yet",
    ),
]
