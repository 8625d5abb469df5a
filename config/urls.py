from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from core import views as core_views
from mentors import urls as mentors_urls
from moderation import urls as moderation_urls
from sessions import urls as sessions_urls

admin.site.site_header = admin.site.site_title = "TheMentors admin"
admin.site.index_title = "Moderation and operations"

handler404 = "core.views.not_found"
handler500 = "core.views.server_error"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("settings/", include("accounts.urls")),
    path("dashboard/", include("dashboard.urls")),
    # Pages that moved to the app owning their rule keep their names (and paths): the mentor's
    # offerings (sessions) under "mentors:", the no-show contest (moderation) under "sessions:".
    path("", include((mentors_urls.urlpatterns + sessions_urls.mentor_urlpatterns, "mentors"))),
    path("", include((sessions_urls.urlpatterns + moderation_urls.booking_urlpatterns, "sessions"))),
    path("", include("cohorts.urls")),
    path("", include("qa.urls")),
    path("", include("subscriptions.urls")),
    path("", include("matching.urls")),
    path("", include("moderation.urls")),
    path("billing/", include("billing.urls")),
    path("checkins/", include("notifications.urls")),
] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
