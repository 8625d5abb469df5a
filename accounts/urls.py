from django.urls import path

from . import views

# Included by config/urls.py in the "accounts" namespace, with the data export and deletion
# (dashboard.privacy_views).
urlpatterns = [
    path("", views.account_settings, name="settings"),
    path("zone/", views.view_zone, name="view_zone"),
    path("zone/save/", views.save_zone, name="save_zone"),
    path("zone/list/", views.zone_list, name="zone_list"),
]
