from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("township/", views.township, name="township"),
    path("secretary/", views.secretary, name="secretary"),
    path("liaison/", views.liaison, name="liaison"),
    path("county/", views.county, name="county"),
]
