from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "会议"

    def ready(self):
        # committees must not import meetings: a post holder's new mobile reaches the attendees of
        # meetings still ahead through this receiver (issue #15 item 7).
        from committees.signals import post_phone_changed

        from .receivers import post_phone_changed_receiver

        post_phone_changed.connect(post_phone_changed_receiver, dispatch_uid="meetings.post_phone_changed")
