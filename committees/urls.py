from .views import committee, grids, nominations, posts, rotation, units

app_name = "committees"

urlpatterns = [
    *committee.urlpatterns,
    *units.urlpatterns,
    *grids.urlpatterns,
    *posts.urlpatterns,
    *nominations.urlpatterns,
    *rotation.urlpatterns,
]
