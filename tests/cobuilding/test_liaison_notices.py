"""Issue #15 item 6: a pledge returned or accepted, a fulfilment confirmed, an agreement sent and
a task assigned reach the unit's liaison (inbox and e-mail); a liaison's submission (a pledge, a
fulfilment report) reaches the community secretaries' inbox. Through the outbox, once each."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from cobuilding import services
from inbox.models import Message
from inbox.services import outbox_sweep
from meetings.models import Meeting, Resolution
from tests.meetings.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def _to(user):
    return list(Message.objects.filter(recipient=user).order_by("pk").values_list("subject", flat=True))


def test_r17_submission_reaches_the_secretary_and_the_review_the_liaison_once(
    make_pledge, liaison_user, secretary_user
):
    liaison_user.email = "liaison@example.cn"
    liaison_user.save(update_fields=["email"])
    pledge = make_pledge(liaison_user, status="submitted")
    assert _to(secretary_user) == [f"{liaison_user.unit.name}提交了共建承诺，待审核"]
    assert _to(liaison_user) == []

    services.pledge_return(actor=secretary_user, pledge=pledge, comment="请写明金额用途")
    assert _to(liaison_user) == ["共建承诺被退回：捐助困难党员"]
    assert "请写明金额用途" in Message.objects.get(recipient=liaison_user).body

    pledge = services.pledge_submit(actor=liaison_user, pledge=pledge)  # resubmitted: told again
    assert len(_to(secretary_user)) == 2
    services.pledge_accept(actor=secretary_user, pledge=pledge)
    assert _to(liaison_user) == ["共建承诺被退回：捐助困难党员", "共建承诺已接受：捐助困难党员"]

    outbox_sweep()
    assert [m.subject for m in mail.outbox if "liaison@example.cn" in m.to] == _to(liaison_user)
    assert outbox_sweep().sent == []  # once each


def test_r17_fulfilment_report_reaches_the_secretary_and_its_confirmation_the_liaison(
    accepted_pledge, liaison_user, secretary_user
):
    before = len(_to(secretary_user))
    report = services.fulfilment_report(
        actor=liaison_user,
        pledge=accepted_pledge,
        delivered_on=timezone.localdate(),
        text="慰问金已发放",
        amount=Decimal("5000"),
    )
    assert _to(secretary_user)[before:] == [f"{liaison_user.unit.name}报告了承诺兑现情况，待确认"]
    services.fulfilment_confirm(actor=secretary_user, fulfilment=report)
    confirmed = Message.objects.get(key__startswith=f"cobuilding:fulfilment:{report.pk}:confirmed")
    assert confirmed.recipient == liaison_user and "50%" in confirmed.body


def test_refused_review_sends_nothing(make_pledge, liaison_user, secretary_user):
    pledge = make_pledge(liaison_user)  # a draft: nothing to review
    count = Message.objects.count()
    with pytest.raises(ValidationError):
        services.pledge_accept(actor=secretary_user, pledge=pledge)
    assert Message.objects.count() == count


def test_r13_task_assigned_reaches_the_units_liaison(accepted_pledge, liaison_user, secretary_user):
    meeting = MeetingFactory(
        committee=accepted_pledge.committee, status=Meeting.Status.HELD, held_on=timezone.localdate()
    )
    resolution = Resolution.objects.create(meeting=meeting, text="组织驻区单位为困难党员募集慰问金")
    pledge = services.pledge_link_resolution(actor=secretary_user, pledge=accepted_pledge, resolution=resolution)
    assigned = Message.objects.filter(kind="task_assigned")
    assert [(m.recipient, m.subject) for m in assigned] == [(liaison_user, f"【督办任务】{pledge.task.title}")]


def test_r16_agreement_sent_reaches_the_liaison_once(liaison_user, secretary_user, world, today):
    draft = services.agreement_create(
        actor=secretary_user,
        unit=world.unit,
        period_start=today.replace(month=1, day=1),
        period_end=today.replace(month=12, day=31),
        **{name: f"{name}的具体承诺" for name in services.PRINCIPLE_FIELDS},
    )
    agreement = services.agreement_send(actor=secretary_user, agreement=draft)
    assert _to(liaison_user) == ["请签订共驻共建协议书"]
    assert Message.objects.get(recipient=liaison_user).key.startswith(f"cobuilding:agreement:{agreement.pk}:sent")
