from django.urls import path

from . import views

app_name = "matching"
urlpatterns = [
    path("match/", views.match, name="match"),
    path("match/go/<int:position>/", views.go, name="go"),
    path("match/seen/", views.seen, name="seen"),
]
