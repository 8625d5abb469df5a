"""The directory and the profiles keep their names in the `mentors` namespace (config/urls.py
puts them there, after the mentors app's own pages, so /mentors/apply/ is not a profile)."""

from django.urls import path

from . import views

home = path("", views.home, name="home")
mentor_pages = [
    path("mentors/", views.directory, name="directory"),
    path("mentors/<slug:slug>/", views.profile, name="profile"),
]
