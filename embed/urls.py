from django.urls import path

from . import views

app_name = "embed"
urlpatterns = [
    path("embed/widget.js", views.widget_script, name="script"),
    path("embed/book/<slug:offering_slug>/", views.widget_continue, name="continue"),
    path("embed/<slug:mentor_slug>/", views.widget_home, name="home"),
    path(
        "embed/<slug:mentor_slug>/<slug:offering_slug>/<path:zone>/",
        views.widget_offering,
        name="offering",
    ),
    path("mentor/widget/", views.mentor_widget, name="mentor_widget"),
    path("mentor/widget/preview/", views.preview_home, name="preview"),
    path(
        "mentor/widget/preview/<slug:offering_slug>/<path:zone>/",
        views.preview_offering,
        name="preview_offering",
    ),
]
