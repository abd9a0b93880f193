from django.contrib import admin
from django.urls import include, path

from common.health import healthz
from dangwei.views import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("audit/", include("audit.views")),
    path("committees/", include("committees.urls")),
    path("meetings/", include("meetings.urls")),
    path("cobuilding/", include("cobuilding.urls")),
    path("inbox/", include("inbox.urls")),
    path("funding/", include("funding.urls")),
    path("assessment/", include("assessment.urls")),
    path("reviews/", include("reviews.urls")),
    path("proposals/", include("proposals.urls")),
    path("needs/", include("needs.urls")),
    path("rollout/", include("rollout.urls")),
    path("yearend/", include("yearend.urls")),
    path("dashboard/", include("dashboards.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

handler500 = "common.health.server_error"
