from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("insights/", views.insights, name="insights"),
    path("insights/<slug:figure>.csv", views.insight_csv, name="insight_csv"),
]
