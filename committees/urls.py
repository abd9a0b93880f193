from .views import committee, grids, posts, rotation, units

app_name = "committees"

urlpatterns = [
    *committee.urlpatterns,
    *units.urlpatterns,
    *grids.urlpatterns,
    *posts.urlpatterns,
    *rotation.urlpatterns,
]
