from django.urls import path

from . import views

app_name = "calendars"
urlpatterns = [
    path("mentor/calendars/", views.calendars, name="list"),
    path("mentor/calendars/google/", views.google_start, name="google"),
    path("mentor/calendars/google/done/", views.google_done, name="google_done"),
]
