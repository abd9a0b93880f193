from django.urls import path

from . import views

app_name = "needs"

urlpatterns = [
    path("", views.need_list, name="need_list"),
    path("new/", views.need_create, name="need_create"),
    path("<int:pk>/", views.need_detail, name="need_detail"),
    path("<int:pk>/request/", views.need_request, name="need_request"),
    path("<int:pk>/project/", views.need_project, name="need_project"),
    path("<int:pk>/merge/", views.need_merge, name="need_merge"),
    path("<int:pk>/start/", views.need_start, name="need_start"),
    path("<int:pk>/done/", views.need_done, name="need_done"),
    path("<int:pk>/visit/", views.need_visit, name="need_visit"),
    path("requests/<int:pk>/accept/", views.request_accept, name="request_accept"),
    path("requests/<int:pk>/decline/", views.request_decline, name="request_decline"),
    path("committee/<int:pk>/resources/", views.resource_list, name="resource_list"),
    path("units/<int:pk>/resources/", views.unit_resources, name="unit_resources"),
    path("resources/<int:pk>/delete/", views.resource_delete, name="resource_delete"),
]
