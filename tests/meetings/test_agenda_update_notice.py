"""R9/R12.2: changing a notified meeting's time, place or agenda sends the attendees one update
notice (会议通知变更) per change batch, in the portal and by e-mail, listing what changed; edits
within the batch's delay rewrite the same pending messages, and each batch goes out exactly once."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from inbox import services as inbox_services
from inbox.models import Message
from meetings.models import AgendaItem, Attendee, ChangeNotice, Meeting
from meetings.services import changes, scheduling

from .factories import AgendaItemFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def in_hours(hours: float) -> datetime.datetime:
    return (timezone.now() + datetime.timedelta(hours=hours)).replace(microsecond=0)


def published(board, actor, *, hours=24 * 7):
    meeting = scheduling.meeting_schedule(
        actor=actor,
        committee=board.committee,
        kind=Meeting.Kind.WORK,
        title="第二季度工作会议",
        starts_at=in_hours(hours),
        duration_minutes=90,
        place="党群服务中心",
    )
    AgendaItemFactory(meeting=meeting, title="区域党建项目", presenter="王主任")
    AgendaItemFactory(meeting=meeting, title="居民诉求办理")
    scheduling.attendee_add(
        actor=actor, meeting=meeting, role=Attendee.Role.GUEST, name="赵科长", email="guest@example.cn"
    )
    meeting = scheduling.meeting_publish(actor=actor, meeting=meeting)
    inbox_services.outbox_sweep()  # the notices go out
    mail.outbox.clear()
    return meeting


def changes_of(meeting):
    return Message.objects.filter(kind="meeting_change", key__startswith=f"meeting:{meeting.pk}:").order_by("pk")


def elapse(meeting):
    """The batch's delay has passed (no clock mocking: its due time moves into the past)."""
    past = timezone.now() - datetime.timedelta(seconds=1)
    ChangeNotice.objects.filter(meeting=meeting).update(due_at=past)
    Message.objects.filter(kind="meeting_change", key__startswith=f"meeting:{meeting.pk}:").update(due_at=past)


def test_agenda_and_place_edits_coalesce_into_one_pending_notice_per_attendee_r9(board, secretary_user):
    meeting = published(board, secretary_user)
    first, second = meeting.agenda_items.order_by("order")
    before = timezone.now()
    scheduling.agenda_item_add(
        actor=secretary_user,
        meeting=meeting,
        category=AgendaItem.Category.COMMUNITY,
        title="停车难问题",
        planned_minutes=20,
    )
    scheduling.agenda_item_update(actor=secretary_user, item=first, title="区域党建共建项目", presenter="李科长")
    scheduling.agenda_item_delete(actor=secretary_user, item=second)
    scheduling.agenda_attachment_add(
        actor=secretary_user, item=first, file=SimpleUploadedFile("方案.pdf", PDF, content_type="application/pdf")
    )
    scheduling.meeting_update(actor=secretary_user, meeting=meeting, place="社区二楼会议室")

    batch = ChangeNotice.objects.get(meeting=meeting)
    assert batch.batch == 1 and batch.recipients == 4  # the member without account/e-mail cannot be told
    assert before + changes.CHANGE_DELAY <= batch.due_at <= timezone.now() + changes.CHANGE_DELAY
    msgs = list(changes_of(meeting))
    assert len(msgs) == 4  # five edits, one message per reachable attendee
    assert {m.state for m in msgs} == {Message.State.PENDING}
    assert all(m.due_at == batch.due_at for m in msgs)
    body = msgs[0].body
    assert msgs[0].subject.startswith("【会议通知变更】第二季度工作会议")
    for text in (
        "地点：党群服务中心 → 社区二楼会议室",
        "新增议题：停车难问题",
        "删除议题：居民诉求办理",
        "议题“区域党建项目”：议题由“区域党建项目”改为“区域党建共建项目”",
        "汇报人由“王主任”改为“李科长”",
        "新增附件“方案.pdf”",
    ):
        assert text in body, text
    assert "· 时间：" not in body  # the time did not change
    # the history says who opened and rewrote the batch
    assert batch.history.count() == 5
    assert {h.history_user for h in batch.history.all()} == {secretary_user}

    # nothing goes out before the delay; afterwards each attendee gets it once, e-mail and inbox
    assert inbox_services.outbox_sweep().sent == []
    elapse(meeting)
    sent = inbox_services.outbox_sweep().sent
    assert len(sent) == 4
    assert sorted(m.to[0] for m in mail.outbox) == ["guest@example.cn", "member0@example.cn", "member1@example.cn"]
    assert all("会议通知变更" in m.subject for m in mail.outbox)
    assert inbox_services.outbox_sweep().sent == []
    assert board.member_users[0].messages.filter(kind="meeting_change", state=Message.State.SENT).count() == 1


def test_an_edit_after_the_batch_went_out_opens_the_next_batch_with_the_new_baseline(board, secretary_user):
    meeting = published(board, secretary_user)
    scheduling.meeting_update(actor=secretary_user, meeting=meeting, place="社区二楼")
    elapse(meeting)
    inbox_services.outbox_sweep()
    scheduling.meeting_update(actor=secretary_user, meeting=Meeting.objects.get(pk=meeting.pk), place="社区三楼")
    assert list(ChangeNotice.objects.filter(meeting=meeting).values_list("batch", flat=True)) == [2, 1]
    latest = Message.objects.filter(key__startswith=f"meeting:{meeting.pk}:change:2:")
    assert latest.count() == 4
    assert "地点：社区二楼 → 社区三楼" in latest.first().body  # not from the original place
    assert changes_of(meeting).filter(state=Message.State.SENT).count() == 4  # batch 1 untouched


def test_undoing_the_batch_withdraws_its_notice(board, secretary_user, login):
    meeting = published(board, secretary_user)
    scheduling.meeting_update(actor=secretary_user, meeting=meeting, place="社区二楼")
    scheduling.meeting_update(actor=secretary_user, meeting=Meeting.objects.get(pk=meeting.pk), place="党群服务中心")
    assert set(changes_of(meeting).values_list("state", flat=True)) == {Message.State.CANCELLED}
    batch = ChangeNotice.objects.get(meeting=meeting)
    assert batch.recipients == 0 and batch.summary == ""
    elapse(meeting)
    assert inbox_services.outbox_sweep().sent == []
    page = login(secretary_user).get(meeting.get_absolute_url()).content.decode()
    assert "第 1 次变更已撤回，未发送通知" in page


def test_edits_of_a_draft_or_of_other_fields_send_nothing(board, secretary_user):
    meeting = scheduling.meeting_schedule(
        actor=secretary_user,
        committee=board.committee,
        kind=Meeting.Kind.WORK,
        title="草稿会议",
        starts_at=in_hours(24 * 7),
        duration_minutes=90,
        place="甲",
    )
    item = AgendaItemFactory(meeting=meeting)
    scheduling.meeting_update(actor=secretary_user, meeting=meeting, place="乙")
    scheduling.agenda_item_update(actor=secretary_user, item=item, title="新标题")
    assert not ChangeNotice.objects.exists()
    scheduling.attendee_add(actor=secretary_user, meeting=meeting, role=Attendee.Role.GUEST, name="客", email="k@x.cn")
    meeting = scheduling.meeting_publish(actor=secretary_user, meeting=meeting)
    scheduling.meeting_update(actor=secretary_user, meeting=meeting, title="草稿会议（改名）")
    assert not ChangeNotice.objects.exists() and not changes_of(meeting).exists()


def test_a_new_time_within_two_days_needs_the_urgency_reason_r9(board, secretary_user):
    meeting = published(board, secretary_user)
    with pytest.raises(ValidationError) as exc:
        scheduling.meeting_update(actor=secretary_user, meeting=meeting, starts_at=in_hours(20))
    assert "urgency_reason" in exc.value.error_dict
    assert not ChangeNotice.objects.exists() and not changes_of(meeting).exists()  # rolled back
    new_start = in_hours(20)
    meeting = scheduling.meeting_update(
        actor=secretary_user, meeting=Meeting.objects.get(pk=meeting.pk), starts_at=new_start, urgency_reason="防汛"
    )
    msg = changes_of(meeting).first()
    assert "时间：" in msg.body and "紧急召开理由（急事共商）：防汛" in msg.body
    assert "请通过下方链接重新回执" in msg.body
    assert ChangeNotice.objects.get(meeting=meeting).due_at <= timezone.now() + changes.CHANGE_DELAY


def test_newcomers_get_the_full_notice_not_the_changes_and_cancel_withdraws_the_batch(board, secretary_user):
    meeting = published(board, secretary_user)
    scheduling.agenda_item_add(
        actor=secretary_user,
        meeting=meeting,
        category=AgendaItem.Category.OTHER,
        title="新增议题甲",
        planned_minutes=10,
    )
    late = scheduling.attendee_add(
        actor=secretary_user, meeting=meeting, role=Attendee.Role.GUEST, name="钱主任", email="late@example.cn"
    )
    scheduling.meeting_update(actor=secretary_user, meeting=Meeting.objects.get(pk=meeting.pk), place="社区二楼")
    assert not changes_of(meeting).filter(key__endswith=f":attendee:{late.pk}").exists()
    assert Message.objects.filter(kind="meeting_notice", key__endswith=f":attendee:{late.pk}").exists()
    assert changes_of(meeting).filter(state=Message.State.PENDING).count() == 4
    # the reminder (pending) repeats the new agenda
    reminder = Message.objects.filter(kind="meeting_reminder", state=Message.State.PENDING).first()
    assert "新增议题甲" in reminder.body and "社区二楼" in reminder.body

    scheduling.meeting_cancel(actor=secretary_user, meeting=Meeting.objects.get(pk=meeting.pk), reason="改期另议")
    assert not changes_of(meeting).filter(state=Message.State.PENDING).exists()
    elapse(meeting)
    inbox_services.outbox_sweep()
    assert all("【会议取消】" in m.subject for m in mail.outbox) and len(mail.outbox) == 4


def test_meeting_page_shows_when_and_to_how_many_and_queries_do_not_grow(
    board, secretary_user, login, django_assert_max_num_queries
):
    meeting = published(board, secretary_user)
    client = login(secretary_user)
    url = meeting.get_absolute_url()
    scheduling.meeting_update(actor=secretary_user, meeting=meeting, place="社区二楼")
    page = client.get(url).content.decode()
    assert "第 1 次变更通知将于" in page and "发给 4 人" in page and "地点：党群服务中心 → 社区二楼" in page
    elapse(meeting)
    inbox_services.outbox_sweep()
    page = client.get(url).content.decode()
    assert "第 1 次变更通知已于" in page and "共 4 人" in page and "已送达 4 人" in page

    with django_assert_max_num_queries(60) as small:
        assert client.get(url).status_code == 200
    for i in range(20):  # 20 more batches, 20 more topics
        meeting = Meeting.objects.get(pk=meeting.pk)
        scheduling.agenda_item_add(
            actor=secretary_user, meeting=meeting, category="d", title=f"补充议题{i}", planned_minutes=1
        )
        elapse(meeting)
        inbox_services.outbox_sweep()
    assert ChangeNotice.objects.filter(meeting=meeting).count() == 21
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_edit_form_refuses_a_close_time_without_reason_in_chinese(board, secretary_user, login):
    meeting = published(board, secretary_user)
    client = login(secretary_user)
    data = {
        "kind": meeting.kind,
        "title": meeting.title,
        "starts_at": timezone.localtime(in_hours(10)).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": meeting.duration_minutes,
        "place": "新地点",
        "urgency_reason": "",
    }
    response = client.post(reverse("meetings:meeting_update", args=[meeting.pk]), data)
    assert response.status_code == 200
    assert "请填写紧急召开理由" in response.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).place == "党群服务中心"
    assert not ChangeNotice.objects.exists()
