from django.urls import path

from . import views

app_name = "packs"
urlpatterns = [
    path("packs/buy/<int:pack_id>/", views.buy, name="buy"),
    path("packs/<uuid:purchase_id>/", views.detail, name="detail"),
    path("packs/<uuid:purchase_id>/refund/", views.refund, name="refund"),
    path("mentor/packs/", views.mentor_packs, name="mentor_packs"),
    path("mentor/packs/new/", views.pack_edit, name="pack_new"),
    path("mentor/packs/<int:pack_id>/edit/", views.pack_edit, name="pack_edit"),
    path("mentor/packs/<int:pack_id>/publish/", views.pack_publish, name="pack_publish"),
]
