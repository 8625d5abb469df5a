from django.urls import path

from . import views

app_name = "calendars"
urlpatterns = [
    path("mentor/calendars/", views.calendars, name="list"),
]
