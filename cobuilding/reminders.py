"""Notices and reminders of co-building, sent through the inbox/outbox (``inbox.services``).

Every message has a key naming what it is about, the deadline and the recipient, so planning
again (every night) records each reminder once; a deadline that moves gets new keys, and the
stale reminders are withdrawn. Reminders go out a week and a day before each deadline (issue #4).
"""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from common.text import inner_quotes

REMINDER_LEADS = (7, 1)  # days before the deadline
SEND_HOUR = 9  # local time, when people read their mail


def _enqueue(**kwargs):
    # The one door to the inbox app (issue #3's outbox), kept here so that co-building depends
    # on a single function of it.
    from inbox.services import message_enqueue

    return message_enqueue(**kwargs)


def _cancel(prefix: str) -> int:
    from inbox.services import message_cancel_pending

    return message_cancel_pending(key_prefix=prefix)


def _liaisons(unit_ids) -> dict[int, list[User]]:
    found: dict[int, list[User]] = {}
    for user in User.objects.filter(role=User.Role.LIAISON, unit_id__in=unit_ids, is_active=True).order_by("pk"):
        found.setdefault(user.unit_id, []).append(user)
    return found


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(SEND_HOUR)))


def notify_agreement_sent(agreement) -> None:
    """R16: the unit's liaisons learn that an agreement waits for their signature."""
    url = reverse("cobuilding:agreement_detail", args=[agreement.pk])
    for user in _liaisons([agreement.unit_id]).get(agreement.unit_id, []):
        _enqueue(
            key=f"cobuilding:agreement:{agreement.pk}:sent:user:{user.pk}",
            recipient=user,
            subject=_("请签订共驻共建协议书"),
            body=_("%(community)s已将%(unit)s的共驻共建协议书送达，请登录%(portal)s查看，签字盖章后上传扫描件。")
            % {"community": agreement.community_party, "unit": agreement.unit.name, "portal": settings.PORTAL_NAME},
            url=url,
            kind="cobuilding",
        )


# --- the liaison's and the secretary's notices (issue #15 item 6) ------------------------------------
#
# Each event once: the key names the object, the event (and, where it can happen again — a pledge
# returned, resubmitted and returned again — the moment it happened) and the recipient. None of
# these keys starts with a deadline reminder's prefix, so withdrawing reminders never touches them.


def _stamp(moment) -> str:
    return f"{moment:%Y%m%d%H%M%S%f}" if moment else "0"


def _notify(*, users, key: str, subject: str, body: str, url: str) -> int:
    for user in users:
        _enqueue(key=f"{key}:user:{user.pk}", recipient=user, subject=subject, body=body, url=url, kind="cobuilding")
    return len(users)


def _secretaries(community_id) -> list[User]:
    return list(User.objects.filter(role=User.Role.SECRETARY, community_id=community_id, is_active=True).order_by("pk"))


def notify_pledge_reviewed(pledge) -> int:
    """R17: the unit's liaisons learn that the secretary accepted or returned their pledge."""
    from .models import Pledge

    returned = pledge.status == Pledge.Status.RETURNED
    if returned:
        subject = _("共建承诺被退回：%(t)s") % {"t": pledge.title}
        body = _("社区已退回承诺“%(t)s”，请按意见修改后重新提交。\n退回意见：%(c)s")
    else:
        subject = _("共建承诺已接受：%(t)s") % {"t": pledge.title}
        body = _("社区已接受承诺“%(t)s”。兑现后请在平台上报告兑现情况并上传照片。\n审核意见：%(c)s")
    return _notify(
        users=_liaisons([pledge.unit_id]).get(pledge.unit_id, []),
        key=f"cobuilding:pledge-review:{pledge.pk}:{pledge.status}:{_stamp(pledge.reviewed_at)}",
        subject=subject,
        body=body % {"t": pledge.title, "c": pledge.review_comment or _("无")},
        url=reverse("cobuilding:pledge_detail", args=[pledge.pk]),
    )


def notify_pledge_submitted(pledge) -> int:
    """R17: a liaison's submitted pledge reaches the community secretaries' inbox."""
    return _notify(
        users=_secretaries(pledge.committee.community_id),
        key=f"cobuilding:pledge-submitted:{pledge.pk}:{_stamp(pledge.submitted_at)}",
        subject=_("%(unit)s提交了共建承诺，待审核") % {"unit": pledge.unit.name},
        body=_("%(unit)s提交了共建承诺“%(t)s”，请审核：接受或退回并写明意见。")
        % {"unit": pledge.unit.name, "t": inner_quotes(pledge.title)},
        url=reverse("cobuilding:pledge_detail", args=[pledge.pk]),
    )


def notify_fulfilment_reported(fulfilment) -> int:
    """R17: a liaison's fulfilment report reaches the community secretaries' inbox."""
    pledge = fulfilment.pledge
    return _notify(
        users=_secretaries(pledge.committee.community_id),
        key=f"cobuilding:fulfilment:{fulfilment.pk}:reported",
        subject=_("%(unit)s报告了承诺兑现情况，待确认") % {"unit": pledge.unit.name},
        body=_("%(unit)s报告了承诺“%(t)s”的兑现情况，请确认或退回。")
        % {"unit": pledge.unit.name, "t": inner_quotes(pledge.title)},
        url=reverse("cobuilding:pledge_detail", args=[pledge.pk]),
    )


def notify_fulfilment_confirmed(fulfilment) -> int:
    """R17: the unit's liaisons learn that the secretary confirmed their fulfilment report."""
    pledge = fulfilment.pledge
    return _notify(
        users=_liaisons([pledge.unit_id]).get(pledge.unit_id, []),
        key=f"cobuilding:fulfilment:{fulfilment.pk}:confirmed",
        subject=_("承诺兑现情况已确认：%(t)s") % {"t": pledge.title},
        body=_("社区已确认承诺“%(t)s”的兑现报告，当前兑现进度 %(p)s%%。")
        % {"t": inner_quotes(pledge.title), "p": _percent(pledge)},
        url=reverse("cobuilding:pledge_detail", args=[pledge.pk]),
    )


def _percent(pledge) -> int:
    from .services import pledge_percent

    return pledge_percent(pledge)


def notify_claim_withdrawn(claim) -> None:
    """R17: the community's secretaries learn in the portal that a unit withdrew its claim; the
    claim's pending deadline reminders are withdrawn."""
    _cancel(f"cobuilding:claim:{claim.pk}:")
    url = reverse("cobuilding:claim_detail", args=[claim.pk])
    secretaries = User.objects.filter(
        role=User.Role.SECRETARY, community_id=claim.project.committee.community_id, is_active=True
    ).order_by("pk")
    for user in secretaries:
        _enqueue(
            key=f"cobuilding:claim-withdrawn:{claim.pk}:{claim.withdrawn_at:%Y%m%d%H%M%S%f}:user:{user.pk}",
            recipient=user,
            subject=_("%(unit)s撤回了公益项目“%(t)s”的认领")
            % {"unit": claim.unit.name, "t": inner_quotes(claim.project.title)},
            body=_("%(unit)s撤回了对公益项目“%(t)s”的认领，认领名额已释放。\n撤回原因：%(reason)s")
            % {"unit": claim.unit.name, "t": inner_quotes(claim.project.title), "reason": claim.withdraw_reason},
            url=url,
            kind="cobuilding",
        )


def _remind(
    *, key: str, users, deadline: datetime.date, today: datetime.date, subject: str, body: str, url: str
) -> int:
    """One reminder per lead (7 and 1 days before) per user; a lead already past is skipped."""
    sent = 0
    for lead in REMINDER_LEADS:
        day = deadline - datetime.timedelta(days=lead)
        if day < today:
            continue
        for user in users:
            _enqueue(
                key=f"{key}:user:{user.pk}:{deadline:%Y%m%d}:d{lead}",
                recipient=user,
                subject=subject,
                body=body % {"days": lead, "deadline": f"{deadline.year}年{deadline.month}月{deadline.day}日"},
                url=url,
                kind="cobuilding-reminder",
                due_at=_at(day),
            )
            sent += 1
    return sent


def _withdraw_moved(key: str, deadline: datetime.date) -> None:
    """Reminders planned for an earlier date of this deadline are withdrawn (all keys of this item
    not ending in the current deadline)."""
    from inbox.models import Message

    stale = (
        Message.objects.filter(key__startswith=f"{key}:", state=Message.State.PENDING)
        .exclude(key__contains=f":{deadline:%Y%m%d}:")
        .values_list("key", flat=True)
    )
    for k in list(stale):
        _cancel(k)


def plan_reminders(*, today: datetime.date | None = None) -> int:
    """Plan the e-mail and inbox reminders a week and a day before each co-building deadline:
    the yearly pledge call (units that have not submitted), fulfilment of accepted pledges, and
    claimed projects not yet completed. Idempotent: run it as often as you like."""
    from .models import Pledge, PledgeCall, ProjectClaim

    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=max(REMINDER_LEADS))
    planned = 0

    calls = list(PledgeCall.objects.filter(submit_by__gte=today, submit_by__lte=horizon).select_related("committee"))
    for call in calls:
        units = list(
            call.committee.community.units.filter(is_active=True)
            .exclude(
                pledges__year=call.year,
                pledges__status__in=[Pledge.Status.SUBMITTED, Pledge.Status.ACCEPTED, Pledge.Status.FULFILLED],
            )
            .distinct()
        )
        done = call.committee.community.units.exclude(pk__in=[u.pk for u in units]).values_list("pk", flat=True)
        for unit_id in done:
            _cancel(f"cobuilding:call:{call.pk}:unit:{unit_id}:")
        liaisons = _liaisons([u.pk for u in units])
        for unit in units:
            key = f"cobuilding:call:{call.pk}:unit:{unit.pk}"
            _withdraw_moved(key, call.submit_by)
            planned += _remind(
                key=key,
                users=liaisons.get(unit.pk, []),
                deadline=call.submit_by,
                today=today,
                subject=_("请填写贵单位本年度共建承诺"),
                body=_("距%(year)s年度共建承诺提交截止还有 %%(days)s 天（%%(deadline)s），请登录平台填写并提交。")
                % {"year": call.year},
                url=reverse("cobuilding:pledge_create"),
            )

    pledges = list(Pledge.objects.filter(status=Pledge.Status.ACCEPTED, period_end__gte=today, period_end__lte=horizon))
    liaisons = _liaisons({p.unit_id for p in pledges})
    for pledge in pledges:
        key = f"cobuilding:pledge:{pledge.pk}"
        _withdraw_moved(key, pledge.period_end)
        planned += _remind(
            key=key,
            users=liaisons.get(pledge.unit_id, []),
            deadline=pledge.period_end,
            today=today,
            subject=_("共建承诺即将到期：%(t)s") % {"t": pledge.title},
            body=_("承诺“%(t)s”的完成期限还有 %%(days)s 天（%%(deadline)s），兑现后请报告兑现情况并上传照片。")
            % {"t": inner_quotes(pledge.title)},
            url=reverse("cobuilding:pledge_detail", args=[pledge.pk]),
        )
    for pledge_id in Pledge.objects.filter(status=Pledge.Status.FULFILLED, period_end__gte=today).values_list(
        "pk", flat=True
    ):
        _cancel(f"cobuilding:pledge:{pledge_id}:")

    claims = list(
        ProjectClaim.objects.exclude(status__in=(ProjectClaim.Status.COMPLETED, ProjectClaim.Status.WITHDRAWN))
        .filter(project__deadline__gte=today, project__deadline__lte=horizon)
        .select_related("project")
    )
    liaisons = _liaisons({c.unit_id for c in claims})
    for claim in claims:
        key = f"cobuilding:claim:{claim.pk}"
        _withdraw_moved(key, claim.project.deadline)
        planned += _remind(
            key=key,
            users=liaisons.get(claim.unit_id, []),
            deadline=claim.project.deadline,
            today=today,
            subject=_("认领的公益项目即将到期：%(t)s") % {"t": claim.project.title},
            body=_("项目“%(t)s”的完成期限还有 %%(days)s 天（%%(deadline)s），请报告进展。")
            % {"t": inner_quotes(claim.project.title)},
            url=reverse("cobuilding:claim_detail", args=[claim.pk]),
        )
    for claim_id in ProjectClaim.objects.filter(
        status=ProjectClaim.Status.COMPLETED, project__deadline__gte=today
    ).values_list("pk", flat=True):
        _cancel(f"cobuilding:claim:{claim_id}:")
    return planned
