from django.urls import path

from . import manage_views, views

app_name = "cohorts"
urlpatterns = [
    # Public and member pages (cohorts/views.py).
    path("cohorts/", views.cohort_list, name="list"),
    path("cohorts/<slug:slug>/", views.cohort_detail, name="detail"),
    path("cohorts/<slug:slug>/enroll/", views.enroll, name="enroll"),
    path("cohorts/<slug:slug>/claim/", views.claim_offer, name="claim"),
    path("cohorts/<slug:slug>/leave/", views.leave, name="leave"),
    path("cohorts/<slug:slug>/pay/", views.pay, name="pay"),
    path("cohorts/<slug:slug>/paid/", views.checkout_success, name="checkout_success"),
    path("cohorts/<slug:slug>/checkout-cancelled/", views.checkout_cancel, name="checkout_cancel"),
    path("cohorts/<slug:slug>/space/", views.member_space, name="space"),
    path("cohorts/<slug:slug>/modules/<int:week>/", views.module_page, name="module"),
    path("cohorts/<slug:slug>/modules/<int:week>/submit/", views.submit, name="submit"),
    path("cohorts/<slug:slug>/reviews/<int:review_id>/", views.peer_review, name="peer_review"),
    path("cohorts/<slug:slug>/members/", views.member_list, name="members"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("calendar/regenerate/", views.calendar_regenerate, name="calendar_regenerate"),
    # Facilitator pages (cohorts/manage_views.py).
    path("dashboard/cohorts/", manage_views.my_cohorts, name="manage_list"),
    path("dashboard/cohorts/new/", manage_views.cohort_create, name="create"),
    path("dashboard/cohorts/<slug:slug>/", manage_views.cohort_manage, name="manage"),
    path("dashboard/cohorts/<slug:slug>/edit/", manage_views.cohort_edit, name="edit"),
    path("dashboard/cohorts/<slug:slug>/publish/", manage_views.cohort_publish, name="publish"),
    path("dashboard/cohorts/<slug:slug>/cancel/", manage_views.cohort_cancel, name="cancel"),
    path("dashboard/cohorts/<slug:slug>/finish/", manage_views.cohort_finish, name="finish"),
    path("dashboard/cohorts/<slug:slug>/modules/new/", manage_views.module_create, name="module_create"),
    path(
        "dashboard/cohorts/<slug:slug>/modules/<int:module_id>/", manage_views.module_edit, name="module_edit"
    ),
    path(
        "dashboard/cohorts/<slug:slug>/modules/<int:module_id>/critique/",
        manage_views.critique_open,
        name="critique_open",
    ),
    path("dashboard/cohorts/<slug:slug>/events/new/", manage_views.event_create, name="event_create"),
    path("dashboard/cohorts/<slug:slug>/events/<int:event_id>/", manage_views.event_edit, name="event_edit"),
    path(
        "dashboard/cohorts/<slug:slug>/events/<int:event_id>/cancel/",
        manage_views.event_cancel,
        name="event_cancel",
    ),
    path("dashboard/cohorts/<slug:slug>/roster/", manage_views.roster, name="roster"),
    path(
        "dashboard/cohorts/<slug:slug>/roster/<uuid:enrollment_id>/",
        manage_views.roster_member,
        name="roster_member",
    ),
    path(
        "dashboard/cohorts/<slug:slug>/attendance/<int:event_id>/",
        manage_views.attendance,
        name="attendance",
    ),
    path("dashboard/cohorts/<slug:slug>/message/", manage_views.message_all, name="message"),
]
