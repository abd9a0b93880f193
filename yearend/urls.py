from django.urls import path

from . import views

app_name = "yearend"

urlpatterns = [
    path("", views.index, name="index"),
    path("request-all/", views.request_all, name="request_all"),
    path("<int:pk>/<int:year>/", views.report, name="report"),
    path("<int:pk>/<int:year>/plan/", views.plan, name="plan"),
    path("<int:pk>/<int:year>/evaluation/", views.evaluation, name="evaluation"),
    path("<int:pk>/<int:year>/request/", views.request_build, name="request"),
    path("<int:pk>/<int:year>/ask/", views.ask, name="ask"),
    path("<int:pk>/<int:year>/status/", views.status, name="status"),
    path("<int:pk>/<int:year>/download/", views.download, name="download"),
    path("<int:pk>/<int:year>/download.docx", views.download_docx, name="download_docx"),
]
