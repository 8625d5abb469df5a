from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from accounts import urls as accounts_urls
from core import views as core_views
from dashboard import availability_views, privacy_views
from discover import urls as discover_urls
from mentors import urls as mentors_urls

admin.site.site_header = admin.site.site_title = "TheMentors admin"
admin.site.index_title = "Moderation and operations"

handler404 = "core.views.not_found"
handler500 = "core.views.server_error"

urlpatterns = [
    discover_urls.home,
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("settings/", include((accounts_urls.urlpatterns + privacy_views.urlpatterns, "accounts"))),
    path("dashboard/", include("dashboard.urls")),
    # The mentors namespace: the mentors app's own pages, the availability page, then the
    # directory and the profiles (after /mentors/apply/, which is not a profile).
    path(
        "",
        include(
            (
                mentors_urls.urlpatterns + availability_views.mentor_pages + discover_urls.mentor_pages,
                "mentors",
            )
        ),
    ),
    path("", include("sessions.urls")),
    path("", include("cohorts.urls")),
    path("", include("qa.urls")),
    path("", include("subscriptions.urls")),
    path("", include("matching.urls")),
    path("", include("moderation.urls")),
    path("billing/", include("billing.urls")),
    path("checkins/", include("notifications.urls")),
] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
