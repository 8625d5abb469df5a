from django.urls import path

from . import views

app_name = "mentors"
urlpatterns = [
    path("mentors/", views.directory, name="directory"),
    path("mentors/apply/", views.apply, name="apply"),
    path("mentors/<slug:slug>/", views.profile, name="profile"),
    path("mentor/availability/", views.availability, name="availability"),
]
