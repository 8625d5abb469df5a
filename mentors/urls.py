from django.urls import path

from . import views

# Included by config/urls.py in the "mentors" namespace, with the directory and profiles (discover)
# and the availability page (dashboard.availability_views).
urlpatterns = [
    path("mentors/apply/", views.apply, name="apply"),
    path("mentor/offerings/", views.offerings, name="offerings"),
    path("mentor/offerings/new/", views.offering_edit, name="offering_new"),
    path("mentor/offerings/<slug:slug>/edit/", views.offering_edit, name="offering_edit"),
    path("mentor/offerings/<slug:slug>/publish/", views.offering_publish, name="offering_publish"),
]
