"""The project's URLs plus placeholders for the committees pages the shared nav links to, used by
the funding tests only while those pages (#2) do not exist yet (see conftest)."""

from django.http import HttpResponse
from django.urls import include, path

from dangwei.urls import urlpatterns as project_urlpatterns


def placeholder(request, *args, **kwargs):
    return HttpResponse("placeholder")


stub_patterns = [
    path("townships/<int:pk>/", placeholder, name="township_detail"),
    path("", placeholder, name="committee_list"),
    path("<int:pk>/", placeholder, name="committee_detail"),
    path("units/", placeholder, name="unit_list"),
    path("units/<int:pk>/", placeholder, name="unit_detail"),
]

urlpatterns = [path("committees-stub/", include((stub_patterns, "committees"))), *project_urlpatterns]
