from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "委员测评"

    def ready(self):
        # meetings must not import reviews: the pending removal proposals (R22/P2) join a newly
        # scheduled meeting through a signal receiver registered here.
        from django.db.models.signals import post_save

        from meetings.models import Meeting

        from .receivers import meeting_saved

        post_save.connect(meeting_saved, sender=Meeting, dispatch_uid="reviews.meeting_saved")
