from django.urls import path

from . import question_views, views

app_name = "qa"
urlpatterns = [
    path("bookings/<uuid:booking_id>/messages/", views.booking_thread, name="booking_thread"),
    path(
        "subscriptions/<uuid:subscription_id>/messages/",
        views.subscription_thread,
        name="subscription_thread",
    ),
    path("mentors/<slug:slug>/ask/", question_views.ask, name="ask"),
    path("questions/<uuid:question_id>/", question_views.question, name="question"),
    path("questions/<uuid:question_id>/pay/", question_views.question_pay, name="question_pay"),
    path("questions/<uuid:question_id>/decline/", question_views.question_decline, name="question_decline"),
    path("mentor/questions/", question_views.mentor_questions, name="mentor_questions"),
]
