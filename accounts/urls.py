from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.account_settings, name="settings"),
    path("my-data.json", views.data_export, name="data_export"),
    path("delete/", views.account_delete, name="delete"),
]
