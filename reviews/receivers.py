"""Signal receivers of the reviews app (registered in ``ReviewsConfig.ready``)."""

from .models import Outcome


def meeting_saved(sender, instance, created, raw=False, **kwargs):
    """R22/P2: a removal proposal that found no meeting to go on joins the committee's next
    meeting as soon as one is scheduled. One cheap query when nothing is pending."""
    if not created or raw:
        return
    if not Outcome.objects.filter(
        kind=Outcome.Kind.REMOVAL, agenda_item__isnull=True, subject__campaign__committee_id=instance.committee_id
    ).exists():
        return
    from .services import proposals_attach_pending

    proposals_attach_pending(meeting=instance, actor=getattr(instance, "_history_user", None))
