from django.urls import path

from . import views

app_name = "groups"
urlpatterns = [
    path("groups/<uuid:group_session_id>/", views.detail, name="detail"),
    path("groups/<uuid:group_session_id>/book/", views.book, name="book"),
    path("groups/<uuid:group_session_id>/cancel-seat/", views.cancel_seat, name="cancel_seat"),
    path("mentor/groups/", views.mentor_groups, name="mentor_groups"),
    path("mentor/groups/new/", views.new, name="new"),
    path("mentor/groups/<uuid:group_session_id>/publish/", views.publish, name="publish"),
    path("mentor/groups/<uuid:group_session_id>/cancel/", views.cancel, name="cancel"),
]
