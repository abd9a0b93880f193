"""The reports reviewers print (R21, issue #6 items 5 and 6): read-only pages, PDFs and Excel."""

from django.urls import path

from . import views_reports as views

urlpatterns: list = [
    path("reports/", views.report_index, name="report_index"),
    path("reports/tasks/<int:pk>/", views.unit_sheet, name="unit_sheet"),
    path("reports/tasks/<int:pk>/pdf/", views.unit_sheet_pdf, name="unit_sheet_pdf"),
    path("reports/tasks/<int:pk>/docx/", views.unit_sheet_docx, name="unit_sheet_docx"),
    path("reports/ranking/", views.ranking, name="ranking"),
    path("reports/ranking/pdf/", views.ranking_pdf, name="ranking_pdf"),
    path("reports/ranking/xlsx/", views.ranking_xlsx, name="ranking_xlsx"),
    path("reports/ranking/file/", views.ranking_file, name="ranking_file"),
    path("reports/ranking/file/status/", views.ranking_file_status, name="ranking_file_status"),
    path("reports/ranking/file/request/", views.ranking_file_request, name="ranking_file_request"),
    path("reports/ranking/file/download/", views.ranking_file_download, name="ranking_file_download"),
]
