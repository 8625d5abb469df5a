from django.urls import path

from . import views

app_name = "moderation"
urlpatterns = [
    path("report/<str:kind>/<int:object_id>/", views.report, name="report"),
]

# On the booking page, named "sessions:contest_no_show" (config/urls.py puts it there).
booking_urlpatterns = [
    path("bookings/<uuid:booking_id>/no-show/contest/", views.contest_no_show, name="contest_no_show"),
]
