from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from cxhub.org import views as org_views

from . import views

admin.site.site_header = _("CX Hub administration")
admin.site.site_title = _("CX Hub")
admin.site.index_title = _("Users, departments and reference data")

urlpatterns = [
    path("", org_views.home_view, name="home"),
    path("healthz", views.healthz_view, name="healthz"),
    path("favicon.ico", views.favicon_view),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("journeys/", include("journeys.urls")),
    path("s/", include("journeys.public_urls")),
    path("barriers/", include("barriers.urls")),
    path("dashboard/", include("metrics.dashboards.urls")),
    path("data/", include("metrics.ingest.urls")),
    path("organisation/", include("cxhub.org.urls")),
    path("exports/", include("cxhub.exports.urls")),
    path("notifications/", include("cxhub.notifications.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("cxhub.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its script from a URL instead of inline, so the strict CSP holds.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

handler404 = "cxhub.views.not_found_view"
handler500 = "cxhub.views.server_error_view"

# Uploaded files (imports, research attachments, persona photos, exports) have no public URL, in any
# mode: each is served by a view that checks who is asking (cxhub.lib.downloads).
