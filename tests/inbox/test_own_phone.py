"""Issue #15 item 7: a person's own mobile. Most committee members have only a phone number: the
post holder's mobile (``Post.phone``) and a guest's own (``Attendee.phone``) receive the meeting
notice by SMS with the signed reply link. The attendee's own phone wins over the post's, which wins
over the unit's ledger phone; an invalid number is refused next to the field; the meeting page
lists who is reached by SMS (their numbers for the community side only)."""

import pytest
from django.urls import reverse

from committees.models import Post
from inbox import services
from inbox.models import Message
from meetings.models import Attendee
from meetings.services import notices
from tests.inbox.test_channels import published, sms_lines

pytestmark = pytest.mark.django_db


def _notice(meeting, attendee) -> Message:
    return Message.objects.get(key=f"meeting:{meeting.pk}:v{meeting.version}:notice:attendee:{attendee.pk}")


def test_attendee_with_only_a_post_phone_gets_the_notice_by_sms_with_the_reply_link(
    board, secretary_user, world, sms_file, client
):
    world.sibling_unit.liaison_phone = ""
    world.sibling_unit.contact_phone = "0396-2345678"  # a landline: no SMS through the unit
    world.sibling_unit.save(update_fields=["liaison_phone", "contact_phone"])
    Post.objects.filter(pk=board.no_account.pk).update(phone="13900000042")
    meeting = published(board, secretary_user)
    attendee = meeting.attendees.get(post=board.no_account)
    assert attendee.phone == "13900000042"  # copied from the post when the member was listed
    notice = _notice(meeting, attendee)
    assert notice.channel == Message.Channel.SMS and notice.address == "13900000042"

    services.outbox_sweep()
    lines = [line for line in sms_lines(sms_file) if line["phone"] == "13900000042"]
    assert len(lines) == 1 and "第三季度工作会议" in lines[0]["text"]
    link = next(word for word in lines[0]["text"].split() if "/reply/" in word)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    assert client.get(path).status_code == 200  # no log-in
    assert client.post(path, {"reply": Attendee.Reply.CONFIRMED, "reply_reason": ""}).status_code == 302
    attendee.refresh_from_db()
    assert attendee.reply == Attendee.Reply.CONFIRMED


def test_own_phone_wins_over_post_phone_over_unit_phone(board, world):
    world.sibling_unit.liaison_phone = "138 0000 5555"
    world.sibling_unit.save(update_fields=["liaison_phone"])
    post = board.no_account
    attendee = Attendee(name="无账号委员", role=Attendee.Role.MEMBER, post=post, unit=world.sibling_unit)
    assert notices.attendee_phone(attendee) == "13800005555"  # the unit's ledger phone, as before
    post.phone = "139-0000-0001"
    assert notices.attendee_phone(attendee) == "13900000001"  # the post's phone
    attendee.phone = "137 0000 0002"
    assert notices.attendee_phone(attendee) == "13700000002"  # the attendee's own
    attendee.phone, post.phone = "12345", "0396-1234567"  # neither is a mobile: the unit's
    assert notices.attendee_phone(attendee) == "13800005555"
    guest = Attendee(name="特邀嘉宾", role=Attendee.Role.GUEST, phone="15800001111")
    assert notices.attendee_phone(guest) == "15800001111"  # a guest without unit or post


def test_guest_added_with_a_phone_is_reached_by_sms(board, secretary_user, login):
    meeting = published(board, secretary_user)
    client = login(secretary_user)
    url = reverse("meetings:attendee_create", args=[meeting.pk])
    response = client.post(url, {"role": Attendee.Role.GUEST, "name": "王嘉宾", "email": "", "phone": "123"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "请填写 11 位手机号码" in html and 'id="error_1_id_phone"' in html
    assert not meeting.attendees.filter(name="王嘉宾").exists()

    response = client.post(url, {"role": Attendee.Role.GUEST, "name": "王嘉宾", "email": "", "phone": "158 0000 1111"})
    assert response.status_code == 302
    guest = meeting.attendees.get(name="王嘉宾")
    assert guest.phone == "15800001111"
    assert _notice(meeting, guest).address == "15800001111"


def test_invalid_phone_on_the_post_form_is_shown_next_to_the_field_and_nothing_saved(board, secretary_user, login):
    client = login(secretary_user)
    before = Post.objects.count()
    response = client.post(
        reverse("committees:post_nominate", args=[board.committee.pk]),
        {
            "kind": Post.Kind.MEMBER,
            "holder_name": "新委员",
            "unit": board.no_account.unit_id,
            "phone": "0396-2345678",
            "recommended_by": ["community"],
            "nominated_on": "2024-01-02",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    block = html[html.index('id="div_id_phone"') :]
    block = block[: block.index("</div>\n", block.index("invalid-feedback"))]
    assert "is-invalid" in block and "请填写 11 位手机号码" in block and "座机不能接收短信" in block
    assert Post.objects.count() == before

    post = board.no_account
    response = client.post(reverse("committees:post_phone_update", args=[post.pk]), {"phone": "1390000"})
    assert response.status_code == 200 and "请填写 11 位手机号码" in response.content.decode()
    post.refresh_from_db()
    assert post.phone == ""
    assert post.history.count() == 1  # nothing recorded either


def test_new_post_phone_reaches_the_meetings_still_ahead(board, secretary_user, login):
    meeting = published(board, secretary_user)
    attendee = meeting.attendees.get(post=board.no_account)
    assert attendee.phone == ""
    client = login(secretary_user)
    response = client.post(
        reverse("committees:post_phone_update", args=[board.no_account.pk]), {"phone": "139 0000 0077"}
    )
    assert response.status_code == 302
    board.no_account.refresh_from_db()
    assert board.no_account.phone == "13900000077"
    attendee.refresh_from_db()
    assert attendee.phone == "13900000077"
    assert notices.attendee_phone(attendee) == "13900000077"


def test_meeting_page_lists_who_is_reached_by_sms(board, secretary_user, county_user, login, world, sms_file):
    Post.objects.filter(pk=board.no_account.pk).update(phone="13900000042")
    meeting = published(board, secretary_user)
    services.outbox_sweep()
    html = login(secretary_user).get(meeting.get_absolute_url()).content.decode()
    line = html[html.index('data-testid="by-sms"') :].split("</p>", 1)[0]
    assert "以短信通知" in line and "无账号委员（13900000042）" in line
    assert "委员0" not in line  # reached by account and e-mail

    html = login(county_user).get(meeting.get_absolute_url()).content.decode()
    line = html[html.index('data-testid="by-sms"') :].split("</p>", 1)[0]
    assert "无账号委员" in line and "13900000042" not in html  # the county reads, without the numbers


def test_post_phone_shown_only_to_the_community_side(board, secretary_user, township_user, county_user, login):
    Post.objects.filter(pk=board.no_account.pk).update(phone="13900000042")
    url = board.no_account.get_absolute_url()
    for user in (secretary_user, township_user):
        assert "13900000042" in login(user).get(url).content.decode()
    response = login(county_user).get(url)
    assert response.status_code == 200 and "13900000042" not in response.content.decode()
