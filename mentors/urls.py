from django.urls import path

from . import views

# Included by config/urls.py in the "mentors" namespace, with the offering pages (sessions), the
# availability page (dashboard.availability_views), the directory and the profiles (discover).
urlpatterns = [
    path("mentors/apply/", views.apply, name="apply"),
    path("mentor/profile/", views.profile_edit, name="profile_edit"),
]
