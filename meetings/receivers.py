"""Receivers of the signals of the apps below meetings (connected in ``MeetingsConfig.ready``)."""


def post_phone_changed_receiver(sender, *, post, old, actor, **kwargs):
    from meetings.services.scheduling import attendee_phones_follow_post

    attendee_phones_follow_post(actor=actor, post=post, old=old)
