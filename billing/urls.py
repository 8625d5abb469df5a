from django.urls import path

from . import code_views, views

app_name = "billing"
urlpatterns = [
    path("checkout/<uuid:booking_id>/pay/", views.checkout_start, name="checkout_start"),
    path("checkout/<uuid:booking_id>/success/", views.checkout_success, name="checkout_success"),
    path("checkout/<uuid:booking_id>/cancel/", views.checkout_cancel, name="checkout_cancel"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("stripe/connect-webhook/", views.connect_webhook, name="connect_webhook"),
    path("demo/checkout/<uuid:payment_id>/", views.demo_checkout, name="demo_checkout"),
    path("payouts/", views.payouts, name="payouts"),
    path("payouts/return/", views.payouts_return, name="payouts_return"),
    path("payouts/refresh/", views.payouts_refresh, name="payouts_refresh"),
    path("earnings/", views.earnings, name="earnings"),
    path("codes/", code_views.mentor_codes, name="codes"),
    path("codes/<int:code_id>/deactivate/", code_views.code_deactivate, name="code_deactivate"),
]
