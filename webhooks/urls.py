from django.urls import path

from . import views

app_name = "webhooks"
urlpatterns = [
    path("mentor/webhooks/", views.endpoints, name="list"),
    path("mentor/webhooks/new/", views.endpoint_new, name="new"),
    path("mentor/webhooks/<int:endpoint_id>/", views.endpoint_detail, name="endpoint"),
    path("mentor/webhooks/<int:endpoint_id>/edit/", views.endpoint_edit, name="edit"),
]
