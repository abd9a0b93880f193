"""Replies to a meeting notice (回执, R12.2): from the inbox (logged in) or a signed e-mail link."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from common.views import add_service_errors
from meetings.forms.meetings import ReplyForm
from meetings.models import Attendee
from meetings.selectors import meetings as selectors
from meetings.selectors.meetings import meeting_page
from meetings.services import notices


def _reply(request, attendee: Attendee, *, actor, done_url: str):
    meeting = attendee.meeting
    initial = {"reply": attendee.reply if attendee.reply != Attendee.Reply.NONE else Attendee.Reply.CONFIRMED}
    if attendee.reply == Attendee.Reply.LEAVE:
        initial["reply_reason"] = attendee.reply_reason
    form = ReplyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            notices.attendee_reply(
                actor=actor,
                attendee=attendee,
                reply=form.cleaned_data["reply"],
                reason=form.cleaned_data["reply_reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("回执已提交，谢谢！"))
            return redirect(done_url)
    page = meeting_page(meeting=meeting, with_deliveries=False)
    context = {"form": form, "meeting": meeting, "attendee": attendee, "page": page}
    return render(request, "meetings/reply_form.html", context)


@login_required
def reply(request, pk: int):
    """The logged-in attendee's own reply; someone not on the list gets a 404."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    attendee = selectors.attendee_for_user(user=request.user, meeting=meeting)
    if attendee is None:
        raise Http404
    attendee.meeting = meeting
    return _reply(request, attendee, actor=request.user, done_url=meeting.get_absolute_url())


def reply_token(request, token: str):
    """For attendees without an account: the signed link in their e-mail is their credential."""
    attendee_id = notices.attendee_from_token(token)
    if attendee_id is None:
        raise Http404
    attendee = get_object_or_404(Attendee.objects.select_related("meeting__committee"), pk=attendee_id)
    if notices.reply_link_expired(attendee):  # issue #14 item 10
        return render(request, "meetings/reply_expired.html", {"meeting": attendee.meeting}, status=410)
    actor = request.user if request.user.is_authenticated else None
    return _reply(request, attendee, actor=actor, done_url=request.path)


urlpatterns = [
    path("<int:pk>/reply/", reply, name="reply"),
    path("reply/<str:token>/", reply_token, name="reply_token"),
]
