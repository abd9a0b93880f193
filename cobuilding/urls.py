from .views import agreements, commitments, dedication, members, pledges, projects, workspace

app_name = "cobuilding"

urlpatterns = [
    *workspace.urlpatterns,
    *pledges.urlpatterns,
    *agreements.urlpatterns,
    *projects.urlpatterns,
    *dedication.urlpatterns,
    *members.urlpatterns,
    *commitments.urlpatterns,
]
