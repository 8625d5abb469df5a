from django.urls import path

from . import views

app_name = "subscriptions"
urlpatterns = [
    path("plans/<int:plan_id>/", views.plan_page, name="plan"),
    path("plans/<int:plan_id>/subscribe/", views.subscribe, name="subscribe"),
    path("subscriptions/<uuid:subscription_id>/", views.detail, name="detail"),
    path("subscriptions/<uuid:subscription_id>/welcome/", views.welcome, name="welcome"),
    path("subscriptions/<uuid:subscription_id>/not-paid/", views.checkout_cancel, name="checkout_cancel"),
    path("subscriptions/<uuid:subscription_id>/cancel/", views.cancel, name="cancel"),
    path("subscriptions/<uuid:subscription_id>/resume/", views.resume, name="resume"),
    path("subscriptions/<uuid:subscription_id>/switch/", views.switch, name="switch"),
    path("subscriptions/<uuid:subscription_id>/payment/", views.portal, name="portal"),
    path("subscriptions/<uuid:subscription_id>/demo-checkout/", views.demo_checkout, name="demo_checkout"),
    path("subscriptions/<uuid:subscription_id>/demo-portal/", views.demo_portal, name="demo_portal"),
    path("mentor/plans/", views.mentor_plans, name="mentor_plans"),
    path("mentor/plans/new/", views.plan_edit, name="plan_new"),
    path("mentor/plans/<int:plan_id>/edit/", views.plan_edit, name="plan_edit"),
    path("mentor/plans/<int:plan_id>/publish/", views.plan_publish, name="plan_publish"),
]
