"""Forms of the session: ticking attendance (validation only; the views call the services)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from meetings.models import Attendee


class AttendanceForm(forms.Form):
    """One attendee's row: the state, and the reason (leave) or the delegate's name."""

    attendee = forms.IntegerField(widget=forms.HiddenInput)
    attendance = forms.ChoiceField(
        label=_("出席情况"),
        choices=[c for c in Attendee.Attendance.choices if c[0] != Attendee.Attendance.UNKNOWN],
    )
    attendance_note = forms.CharField(label=_("请假事由/受托人"), max_length=200, required=False)

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and data.get("quick"):
            data = data.copy()
            data["attendance"] = data["quick"]
        super().__init__(data, *args, **kwargs)

    def clean(self):
        data = super().clean()
        note = (data.get("attendance_note") or "").strip()
        if data.get("attendance") == Attendee.Attendance.LEAVE and not note:
            self.add_error("attendance_note", _("请假请填写事由。"))
        if data.get("attendance") == Attendee.Attendance.DELEGATE and not note:
            self.add_error("attendance_note", _("委托出席请填写受托人姓名。"))
        return data
