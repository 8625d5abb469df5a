from django.urls import path

from . import code_views, offering_views, request_views, series_views, views

app_name = "sessions"
urlpatterns = [
    path("offerings/<slug:slug>/", views.offering_page, name="offering"),
    path("offerings/<slug:slug>/book/", views.book, name="book"),
    path("offerings/<slug:slug>/code/", code_views.offering_code, name="offering_code"),
    path("offerings/<slug:slug>/weekly/", series_views.series_preview, name="series_preview"),
    path("offerings/<slug:slug>/weekly/book/", series_views.series_book, name="series_book"),
    path("bookings/<uuid:booking_id>/", views.booking_detail, name="booking"),
    path("bookings/<uuid:booking_id>/calendar.ics", views.booking_ics, name="booking_ics"),
    path("bookings/<uuid:booking_id>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("bookings/<uuid:booking_id>/cancel-onwards/", series_views.series_cancel, name="series_cancel"),
    path(
        "bookings/<uuid:booking_id>/reschedule/",
        views.booking_reschedule,
        name="booking_reschedule",
    ),
    path("bookings/<uuid:booking_id>/prework/", views.booking_prework, name="booking_prework"),
    path("bookings/<uuid:booking_id>/close/", views.booking_close, name="booking_close"),
    path("bookings/<uuid:booking_id>/action-item/", views.action_item_done, name="action_item_done"),
    path("bookings/<uuid:booking_id>/review/", views.review, name="review"),
    path("bookings/<uuid:booking_id>/reply/", views.review_reply, name="review_reply"),
    path("bookings/<uuid:booking_id>/no-show/", views.report_no_show, name="report_no_show"),
    path("bookings/<uuid:booking_id>/request/accept/", request_views.request_accept, name="request_accept"),
    path(
        "bookings/<uuid:booking_id>/request/decline/", request_views.request_decline, name="request_decline"
    ),
    path(
        "bookings/<uuid:booking_id>/request/withdraw/",
        request_views.request_withdraw,
        name="request_withdraw",
    ),
]

# The mentor's own offering pages keep their names under "mentors:" (config/urls.py puts them there).
mentor_urlpatterns = [
    path("mentor/offerings/", offering_views.offerings, name="offerings"),
    path("mentor/offerings/new/", offering_views.offering_edit, name="offering_new"),
    path("mentor/offerings/<slug:slug>/edit/", offering_views.offering_edit, name="offering_edit"),
    path("mentor/offerings/<slug:slug>/publish/", offering_views.offering_publish, name="offering_publish"),
    path("mentor/requests/", request_views.mentor_requests, name="mentor_requests"),
]
