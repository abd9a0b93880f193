from django.urls import path

from . import urls_reports, urls_scoring, views, views_departments

app_name = "assessment"

urlpatterns = [
    path("schemes/", views.scheme_list, name="scheme_list"),
    path("schemes/new/", views.scheme_create, name="scheme_create"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme_detail"),
    path("schemes/<int:pk>/edit/", views.scheme_update, name="scheme_update"),
    path("schemes/<int:pk>/publish/", views.scheme_publish, name="scheme_publish"),
    path("schemes/<int:pk>/new-version/", views.scheme_new_version, name="scheme_new_version"),
    path("schemes/<int:pk>/refine/", views.scheme_refine, name="scheme_refine"),
    path("sheets/<int:pk>/indicators/new/", views.indicator_create, name="indicator_create"),
    path("indicators/<int:pk>/edit/", views.indicator_update, name="indicator_update"),
    # R21: the county's functional departments, scored like the units
    path("departments/", views_departments.department_list, name="department_list"),
    path("departments/new/", views_departments.department_create, name="department_create"),
    path("departments/<int:pk>/edit/", views_departments.department_update, name="department_update"),
]

# R21 joint scoring rounds, and the reports reviewers print.
urlpatterns += urls_scoring.urlpatterns + urls_reports.urlpatterns
