"""Notice channels (issue #15 item 7): e-mail, SMS (file and HTTP gateway) and the committee's
group robot, each tested against a local HTTP server the test starts on 127.0.0.1; members
without an account get their meeting notice by SMS with a reply link that needs no log-in; the
secretary records a phone call (已电话通知) for whoever nothing reaches."""

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from inbox import services
from inbox.models import CommitteeRobot, Message
from meetings.models import Attendee, Meeting
from meetings.selectors.meetings import meeting_page
from meetings.services import notices, scheduling
from tests.meetings.factories import AgendaItemFactory

pytestmark = pytest.mark.django_db


class Gateway:
    """A local HTTP server that records every POST and answers with ``status`` and ``answer``."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status = 200
        self.answer = b'{"errcode": 0, "errmsg": "ok"}'
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length", 0))
                gateway.requests.append(
                    {"path": self.path, "body": self.rfile.read(length), "type": self.headers.get("Content-Type")}
                )
                self.send_response(gateway.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(gateway.answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def json(self, i=-1):
        return json.loads(self.requests[i]["body"].decode("utf-8"))

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    g = Gateway()
    yield g
    g.close()


def sms_lines(path):
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --- the backends ------------------------------------------------------------------------------------


def test_sms_file_backend_writes_what_would_be_sent_once(sms_file, settings):
    settings.PORTAL_BASE_URL = "https://dangwei.example.cn"
    services.message_enqueue(
        key="sms-1",
        channel=Message.Channel.SMS,
        address="13800001111",
        subject="【会议通知】",
        body="请参加",
        url="/x/",
    )
    result = services.outbox_sweep()
    assert len(result.sent) == 1 and mail.outbox == []
    lines = sms_lines(sms_file)
    assert [line["phone"] for line in lines] == ["13800001111"]
    assert "【会议通知】" in lines[0]["text"] and "https://dangwei.example.cn/x/" in lines[0]["text"]
    assert services.outbox_sweep().sent == []
    assert len(sms_lines(sms_file)) == 1
    assert Message.objects.get(key="sms-1").state == Message.State.SENT


def test_sms_http_backend_posts_the_template_to_the_gateway(gateway, settings):
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = gateway.url + "/sms/send"
    settings.SMS_HTTP_TEMPLATE = '{"mobile": "$phone", "content": "$text", "sign": "大党委"}'
    services.message_enqueue(
        key="sms-2", channel=Message.Channel.SMS, address="13900002222", subject='标题"引号"', body="第一行\n第二行"
    )
    assert len(services.outbox_sweep().sent) == 1
    assert len(gateway.requests) == 1
    assert gateway.requests[0]["path"] == "/sms/send"
    sent = gateway.json()
    assert sent["mobile"] == "13900002222" and sent["sign"] == "大党委"
    assert sent["content"] == '标题"引号"\n第一行\n第二行'


def test_sms_gateway_failure_retries_with_backoff_and_is_sent_once(gateway, settings):
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = gateway.url + "/sms"
    gateway.status = 500
    now = timezone.now()
    services.message_enqueue(
        key="sms-3", channel=Message.Channel.SMS, address="13900003333", subject="s", body="b", due_at=now
    )
    result = services.outbox_sweep(now=now)
    assert result.retrying and not result.sent
    m = Message.objects.get(key="sms-3")
    assert m.state == Message.State.PENDING and m.attempts == 1 and "HTTP 500" in m.last_error
    assert m.next_attempt_at == now + services.BACKOFF[0]
    assert services.outbox_sweep(now=now + datetime.timedelta(seconds=30)).retrying == []  # not before the backoff
    gateway.status = 200
    assert len(services.outbox_sweep(now=now + services.BACKOFF[0]).sent) == 1
    assert len(gateway.requests) == 2
    m.refresh_from_db()
    assert m.state == Message.State.SENT and m.last_error == ""


def test_sms_to_a_dead_gateway_times_out_and_is_recorded(settings):
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = "http://127.0.0.1:9/"  # discard port: refused at once
    services.message_enqueue(key="sms-4", channel=Message.Channel.SMS, address="13900004444", subject="s", body="b")
    assert services.outbox_sweep().retrying
    assert Message.objects.get(key="sms-4").last_error


def test_webhook_backend_posts_robot_json_and_reads_errcode(gateway):
    services.message_enqueue(
        key="robot-1",
        channel=Message.Channel.WEBHOOK,
        address=gateway.url + "/robot?key=abc",
        subject="通知",
        body="内容",
    )
    assert len(services.outbox_sweep().sent) == 1
    assert gateway.requests[0]["path"] == "/robot?key=abc"
    assert gateway.requests[0]["type"].startswith("application/json")
    assert gateway.json() == {"msgtype": "text", "text": {"content": "通知\n内容"}}

    gateway.answer = b'{"errcode": 93000, "errmsg": "invalid webhook url"}'
    services.message_enqueue(
        key="robot-2", channel=Message.Channel.WEBHOOK, address=gateway.url + "/robot", subject="通知", body="内容"
    )
    assert services.outbox_sweep().retrying
    m = Message.objects.get(key="robot-2")
    assert m.state == Message.State.PENDING and "93000" in m.last_error


# --- meeting notices by SMS and the group robot ----------------------------------------------------


def in_hours(hours: float) -> datetime.datetime:
    return (timezone.now() + datetime.timedelta(hours=hours)).replace(microsecond=0)


def published(board, actor, *, hours=24 * 7):
    meeting = scheduling.meeting_schedule(
        actor=actor,
        committee=board.committee,
        kind=Meeting.Kind.WORK,
        title="第三季度工作会议",
        starts_at=in_hours(hours),
        duration_minutes=90,
        place="党群服务中心",
    )
    AgendaItemFactory(meeting=meeting, title="区域党建项目")
    return scheduling.meeting_publish(actor=actor, meeting=meeting)


def test_member_without_account_gets_the_notice_by_sms_with_a_reply_link(
    board, secretary_user, world, sms_file, client
):
    world.sibling_unit.liaison_phone = "138 0000 5555"
    world.sibling_unit.save(update_fields=["liaison_phone"])
    meeting = published(board, secretary_user)
    attendee = meeting.attendees.get(post=board.no_account)
    notice = Message.objects.get(key=f"meeting:{meeting.pk}:v{meeting.version}:notice:attendee:{attendee.pk}")
    assert notice.channel == Message.Channel.SMS and notice.address == "13800005555" and notice.recipient is None
    reminder = Message.objects.get(key=f"meeting:{meeting.pk}:v{meeting.version}:reminder:attendee:{attendee.pk}")
    assert reminder.channel == Message.Channel.SMS

    services.outbox_sweep()
    lines = [line for line in sms_lines(sms_file) if line["phone"] == "13800005555"]
    assert len(lines) == 1 and "第三季度工作会议" in lines[0]["text"]
    link = next(word for word in lines[0]["text"].split() if "/reply/" in word)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)  # no log-in
    assert response.status_code == 200 and "第三季度工作会议" in response.content.decode()
    response = client.post("/" + path, {"reply": Attendee.Reply.CONFIRMED, "reply_reason": ""})
    assert response.status_code == 302
    attendee.refresh_from_db()
    assert attendee.reply == Attendee.Reply.CONFIRMED

    page = meeting_page(meeting=meeting, with_deliveries=True)
    assert page.deliveries[attendee.pk].label == "已短信通知"
    assert attendee.pk not in {a.pk for a in page.not_reached}


def test_landline_is_not_an_sms_number(board, secretary_user, world):
    world.sibling_unit.liaison_phone = ""
    world.sibling_unit.contact_phone = "0396-2345678"
    world.sibling_unit.save(update_fields=["liaison_phone", "contact_phone"])
    meeting = published(board, secretary_user)
    attendee = meeting.attendees.get(post=board.no_account)
    assert not Message.objects.filter(key__endswith=f":attendee:{attendee.pk}").exists()
    assert attendee.pk in {a.pk for a in meeting_page(meeting=meeting, with_deliveries=True).not_reached}


def test_committee_robot_gets_each_notice_version_once(board, secretary_user, gateway):
    services.committee_robot_set(committee=board.committee, url=gateway.url + "/cgi-bin/webhook/send?key=k")
    assert CommitteeRobot.objects.get().is_active
    meeting = published(board, secretary_user)
    notices.meeting_notify(meeting=meeting)  # notifying again records nothing new
    robots = Message.objects.filter(channel=Message.Channel.WEBHOOK)
    assert [m.key for m in robots] == [f"meeting:{meeting.pk}:v{meeting.version}:notice:robot"]
    services.outbox_sweep()
    robot_posts = [r for r in gateway.requests if r["path"].startswith("/cgi-bin/webhook/send")]
    assert len(robot_posts) == 1
    content = json.loads(robot_posts[0]["body"])["text"]["content"]
    assert "第三季度工作会议" in content and "党群服务中心" in content


# --- 已电话通知 ------------------------------------------------------------------------------------


def test_secretary_records_a_phone_call_for_whom_nothing_reaches(board, secretary_user, login):
    meeting = published(board, secretary_user)
    attendee = meeting.attendees.get(post=board.no_account)
    services.outbox_sweep()  # the notices that can go, went
    assert [a.pk for a in meeting_page(meeting=meeting, with_deliveries=True).not_reached] == [attendee.pk]
    client = login(secretary_user)
    response = client.get(meeting.get_absolute_url())
    assert f'data-testid="phoned-{attendee.pk}"'.encode() in response.content

    response = client.post(reverse("meetings:attendee_phoned", args=[attendee.pk]))
    assert response.status_code == 302
    client.post(reverse("meetings:attendee_phoned", args=[attendee.pk]))  # twice records once
    calls = Message.objects.filter(channel=Message.Channel.PHONE)
    assert calls.count() == 1 and calls.get().state == Message.State.SENT
    page = meeting_page(meeting=meeting, with_deliveries=True)
    assert page.not_reached == []
    assert page.deliveries[attendee.pk].label.startswith("已电话通知")
    response = client.get(meeting.get_absolute_url())
    assert "已电话通知" in response.content.decode() and f'data-testid="phoned-{attendee.pk}"' not in (
        response.content.decode()
    )
    assert services.outbox_sweep().sent == []  # a phone record is never swept


def test_phone_call_record_is_per_meeting_version_and_refused_outside_notified(board, secretary_user):
    meeting = published(board, secretary_user)
    attendee = meeting.attendees.get(post=board.no_account)
    notices.attendee_record_phoned(actor=secretary_user, attendee=attendee)
    meeting = scheduling.meeting_update(actor=secretary_user, meeting=meeting, starts_at=in_hours(24 * 8))
    page = meeting_page(meeting=meeting, with_deliveries=True)
    assert attendee.pk in {a.pk for a in page.not_reached}  # a new time: phone again

    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CANCELLED, cancel_reason="改期另定")
    before = Message.objects.filter(channel=Message.Channel.PHONE).count()
    with pytest.raises(ValidationError):
        notices.attendee_record_phoned(actor=secretary_user, attendee=attendee)
    assert Message.objects.filter(channel=Message.Channel.PHONE).count() == before


def test_phone_record_refused_to_a_liaison(board, secretary_user, login):
    meeting = published(board, secretary_user)
    attendee = meeting.attendees.get(post=board.no_account)
    client = login(board.member_users[0])
    response = client.post(reverse("meetings:attendee_phoned", args=[attendee.pk]))
    assert response.status_code in (403, 404)
    assert not Message.objects.filter(channel=Message.Channel.PHONE).exists()


# --- reminder settings (issue #15 item 8) -----------------------------------------------------------


def test_reminder_time_follows_the_setting(board, secretary_user, settings):
    settings.MEETING_REMINDER_HOURS = 48
    meeting = published(board, secretary_user)
    reminder = Message.objects.filter(kind="meeting_reminder").first()
    assert reminder.due_at == meeting.starts_at - datetime.timedelta(hours=48)


def test_reminder_default_is_the_day_before(board, secretary_user):
    meeting = published(board, secretary_user)
    reminder = Message.objects.filter(kind="meeting_reminder").first()
    assert reminder.due_at == meeting.starts_at - datetime.timedelta(hours=24)


def test_robot_url_must_be_a_web_address(board):
    with pytest.raises(ValidationError):
        services.committee_robot_set(committee=board.committee, url="file:///etc/passwd")
    assert not CommitteeRobot.objects.exists()
