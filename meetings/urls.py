from .views import calendar, meetings, minutes, notices, session, tasks, votes

app_name = "meetings"

urlpatterns = [
    *meetings.urlpatterns,
    *notices.urlpatterns,
    *calendar.urlpatterns,
    *session.urlpatterns,
    *votes.urlpatterns,
    *minutes.urlpatterns,
    *tasks.urlpatterns,
]
