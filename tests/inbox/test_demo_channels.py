"""Issue #15 item 7 in the demo: members without an account (the ledger has their unit's mobile)
get the upcoming meeting's notice by SMS (the file backend), so the meeting page shows them as
reached."""

import io

from django.core.management import call_command
from django.test import TestCase

from inbox.models import Message
from meetings.models import Meeting
from meetings.selectors.meetings import meeting_page


class TestDemoSms(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", stdout=io.StringIO())

    def test_demo_members_without_account_are_reached_by_sms(self):
        upcoming = Meeting.objects.filter(status=Meeting.Status.NOTIFIED).order_by("pk").first()
        no_account = [a for a in upcoming.attendees.all() if a.user_id is None and not a.email]
        assert no_account
        sms = Message.objects.filter(
            key__startswith=f"meeting:{upcoming.pk}:v{upcoming.version}:notice:", channel=Message.Channel.SMS
        )
        assert sms.count() >= 1
        assert all(m.state == Message.State.SENT and len(m.address) == 11 for m in sms)
        page = meeting_page(meeting=upcoming, with_deliveries=True)
        sms_people = {int(m.key.rsplit(":", 1)[1]) for m in sms}
        assert {page.deliveries[pk].label for pk in sms_people} == {"已短信通知"}
        assert not sms_people & {a.pk for a in page.not_reached}
