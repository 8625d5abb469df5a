from django.urls import path

from . import views

app_name = "qa"
urlpatterns = [
    path("bookings/<uuid:booking_id>/messages/", views.booking_thread, name="booking_thread"),
    path(
        "subscriptions/<uuid:subscription_id>/messages/",
        views.subscription_thread,
        name="subscription_thread",
    ),
]
