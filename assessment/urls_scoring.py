"""R21 joint scoring rounds (appended to assessment/urls.py)."""

from django.urls import path

from . import views_scoring as v

urlpatterns = [
    path("rounds/", v.round_list, name="round_list"),
    path("rounds/new/", v.round_create, name="round_create"),
    path("rounds/<int:pk>/", v.round_detail, name="round_detail"),
    path("rounds/<int:pk>/edit/", v.round_update, name="round_update"),
    path("rounds/<int:pk>/scorers/", v.round_scorers, name="round_scorers"),
    path("scorers/<int:pk>/remove/", v.round_scorer_remove, name="round_scorer_remove"),
    path("rounds/<int:pk>/sync/", v.round_sync, name="round_sync"),
    path("rounds/<int:pk>/release/", v.round_release, name="round_release"),
    path("tasks/<int:pk>/", v.task_detail, name="task_detail"),
    path("tasks/<int:pk>/score/", v.task_score, name="task_score"),
    path("tasks/<int:pk>/self-report/", v.task_self_report, name="task_self_report"),
    path("tasks/<int:pk>/evidence/new/", v.task_evidence_add, name="task_evidence_add"),
    path("tasks/<int:pk>/return/", v.scoresheet_return, name="task_return"),
    path("tasks/<int:pk>/review/", v.task_review, name="task_review"),
    path("tasks/<int:pk>/finalise/", v.task_finalise, name="task_finalise"),
    path("tasks/<int:pk>/correct/", v.task_correct, name="task_correct"),
    path("evidence/<int:pk>/", v.evidence_download, name="task_evidence_download"),
    path("evidence/<int:pk>/delete/", v.evidence_delete, name="task_evidence_delete"),
]
