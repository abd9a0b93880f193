from django.urls import path

from . import views

app_name = "rollout"

urlpatterns = [
    path("", views.home, name="home"),
    path("plans/", views.plan_list, name="plan_list"),
    path("townships/<int:township_id>/plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/months/", views.plan_months, name="plan_months"),
    path("plans/<int:pk>/pilot/", views.plan_pilot, name="plan_pilot"),
    path("plans/<int:pk>/summarise/", views.pilot_summarise, name="pilot_summarise"),
    path("plans/<int:pk>/summary-file/", views.pilot_summary_file, name="pilot_summary_file"),
    path("progress/<int:pk>/", views.progress_detail, name="progress_detail"),
    path("progress/<int:pk>/stage/", views.stage_change, name="stage_change"),
    path("progress/<int:pk>/refresh/", views.progress_refresh, name="progress_refresh"),
    path("progress/<int:pk>/publicity/", views.publicity_create, name="publicity_create"),
    path("progress/<int:pk>/documents/", views.document_upload, name="document_upload"),
    path("progress/<int:pk>/rules/", views.rule_upload, name="rule_upload"),
    path("publicity/<int:pk>/file/", views.publicity_file, name="publicity_file"),
    path("rules/<int:pk>/approve/", views.rule_approve, name="rule_approve"),
    path("rules/<int:pk>/file/", views.rule_file, name="rule_file"),
    path("documents/", views.document_list, name="document_list"),
    path("documents/<int:pk>/", views.document_detail, name="document_detail"),
    path("documents/<int:pk>/file/", views.document_file, name="document_file"),
    path("documents/<int:pk>/opinion/", views.opinion_save, name="opinion_save"),
    path("documents/<int:pk>/close/", views.document_close, name="document_close"),
]
