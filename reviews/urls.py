from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("committees/<int:pk>/new/", views.campaign_create, name="campaign_create"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("<int:pk>/edit/", views.campaign_update, name="campaign_update"),
    path("<int:pk>/open/", views.campaign_open, name="campaign_open"),
    path("<int:pk>/close/", views.campaign_close, name="campaign_close"),
    path("<int:pk>/codes/new/", views.codes_generate, name="codes_generate"),
    path("<int:pk>/codes/", views.code_sheet, name="code_sheet"),
    path("<int:pk>/tally/", views.tally, name="tally"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/results.pdf", views.results_pdf, name="results_pdf"),
    # public: the one-time code is the reviewer's credential
    path("b/", views.ballot_entry, name="ballot_entry"),
    path("b/done/", views.ballot_done, name="ballot_done"),
    path("b/<str:code>/", views.ballot, name="ballot"),
]
