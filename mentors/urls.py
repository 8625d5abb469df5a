from django.urls import path

from . import views

app_name = "mentors"
urlpatterns = [
    path("mentors/", views.directory, name="directory"),
    path("mentors/apply/", views.apply, name="apply"),
    path("mentors/<slug:slug>/", views.profile, name="profile"),
    path("mentor/availability/", views.availability, name="availability"),
    path("mentor/offerings/", views.offerings, name="offerings"),
    path("mentor/offerings/new/", views.offering_edit, name="offering_new"),
    path("mentor/offerings/<slug:slug>/edit/", views.offering_edit, name="offering_edit"),
    path("mentor/offerings/<slug:slug>/publish/", views.offering_publish, name="offering_publish"),
]
