from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from accounts import sign_in_views
from accounts import urls as accounts_urls
from accounts import views as account_views
from api import urls as api_urls
from core import faces
from core import views as core_views
from dashboard import availability_views, impact_views, privacy_views
from discover import urls as discover_urls
from mentors import urls as mentors_urls
from moderation import urls as moderation_urls
from sessions import urls as sessions_urls

admin.site.site_header = admin.site.site_title = "TheMentors admin"
# The admin signs in through allauth's login, with its second factor, never its own password form.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.index_title = "Moderation and operations"

handler404 = "core.views.not_found"
handler500 = "core.views.server_error"

urlpatterns = [
    discover_urls.home,
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("i18n/setlang/", account_views.language_set, name="set_language"),
    path("faces/<int:px>/<path:name>", faces.face, name="face"),
    path("admin/", admin.site.urls),
    path("accounts/", include(sign_in_views.urlpatterns)),  # LinkedIn (OpenID Connect), then allauth
    path("accounts/", include("allauth.urls")),
    path(
        "settings/",
        include(
            (
                accounts_urls.urlpatterns + privacy_views.urlpatterns + api_urls.settings_urlpatterns,
                "accounts",
            )
        ),
    ),
    *api_urls.urlpatterns,  # the open API (/api/v1/): JSON only, its own 404 and 405
    path("dashboard/", include("dashboard.urls")),
    # Pages that live in the app owning their rule keep the names (and paths) they always had:
    # under "mentors:", the mentor's offerings (sessions), the availability page (dashboard), and
    # the directory and profiles (discover) after /mentors/apply/, which is not a profile; under
    # "sessions:", the no-show contest (moderation).
    path(
        "",
        include(
            (
                mentors_urls.urlpatterns
                + sessions_urls.mentor_urlpatterns
                + availability_views.mentor_pages
                + impact_views.mentor_pages
                + discover_urls.mentor_pages,
                "mentors",
            )
        ),
    ),
    path("", include((sessions_urls.urlpatterns + moderation_urls.booking_urlpatterns, "sessions"))),
    path("", include("cohorts.urls")),
    path("", include("qa.urls")),
    path("", include("subscriptions.urls")),
    path("", include("packs.urls")),
    path("", include("groups.urls")),
    path("", include("matching.urls")),
    path("", include("calendars.urls")),
    path("", include("webhooks.urls")),
    path("", include("moderation.urls")),
    path("", include("embed.urls")),
    path("billing/", include("billing.urls")),
    path("checkins/", include("notifications.urls")),
] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
