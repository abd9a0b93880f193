app_name = "inbox"
urlpatterns = []
