from django.urls import path

from . import views

app_name = "proposals"

urlpatterns = [
    path("", views.proposal_list, name="proposal_list"),
    path("new/", views.proposal_create, name="proposal_create"),
    path("<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("<int:pk>/register/", views.proposal_register, name="proposal_register"),
    path("<int:pk>/decline/", views.proposal_decline, name="proposal_decline"),
    path("<int:pk>/assign/", views.proposal_assign, name="proposal_assign"),
    path("<int:pk>/feedback/", views.proposal_feedback, name="proposal_feedback"),
    path("<int:pk>/reopen/", views.proposal_reopen, name="proposal_reopen"),
    path("<int:pk>/commend/", views.proposal_commend, name="proposal_commend"),
    path("<int:pk>/agenda/", views.proposal_to_agenda, name="proposal_to_agenda"),
    path("assignments/<int:pk>/reply/", views.assignment_reply, name="assignment_reply"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("committee/<int:pk>/report/", views.half_year_report, name="half_year_report"),
    path("committee/<int:pk>/report.pdf", views.half_year_report_pdf, name="half_year_report_pdf"),
]
