"""Demo proposals (R27) of the pilot committee 陵园社区, built through ``proposals.services``.

Four proposals in the states a secretary meets: one closed to the proposers' satisfaction and
commended, one being handled by the demo liaison's unit and the committee, one waiting to be
registered, one declined with its reason. The past is written under ``demo_clock`` so each step
is dated as it happened. Idempotent by (committee, title).
"""

import datetime

from django.utils import timezone

from committees.demo import LINGYUAN, Demo, demo_clock, moment

from . import services
from .models import Proposal

JOINT = Proposal.Channel.JOINT
CONGRESS = Proposal.Channel.CONGRESS


def _at(today: datetime.date, days_ago: int, hour: int = 10) -> datetime.datetime:
    return moment(today - datetime.timedelta(days=days_ago), hour)


def seed(demo: Demo) -> None:
    committee = demo.committees[LINGYUAN.name]
    secretary = demo.users["secretary"]
    liaison = demo.users["liaison"]
    unit = liaison.unit
    today = timezone.localdate()
    existing = set(Proposal.objects.filter(committee=committee).values_list("title", flat=True))

    def table(title, days_ago, **fields) -> Proposal | None:
        if title in existing:
            return None
        with demo_clock(_at(today, days_ago)):
            proposal = services.proposal_table(
                actor=secretary,
                committee=committee,
                title=title,
                tabled_on=today - datetime.timedelta(days=days_ago),
                **fields,
            )
        demo.count("建议案")
        return proposal

    done = table(
        "关于增设小区电动车充电桩的建议",
        100,
        channel=JOINT,
        problem="小区电动车多在楼道内充电，存在火灾隐患，居民反映强烈。",
        suggestion="在小区北侧空地集中建设充电桩，由供电公司提供技术支持，物业负责日常管理。",
        lead_proposer="王建国",
        co_signers=["李红", "赵强"],
        units=[unit],
    )
    if done is not None:
        with demo_clock(_at(today, 98)):
            done = services.proposal_register(actor=secretary, proposal=done)
            done = services.proposal_assign(
                actor=secretary,
                proposal=done,
                units=[unit],
                due_on=today - datetime.timedelta(days=68),
                today=timezone.localdate(),
            )
        with demo_clock(_at(today, 80, 15)):
            services.assignment_reply(
                actor=liaison,
                assignment=done.assignments.get(),
                reply="已会同物业在小区北侧建成充电桩12个，并开展安全用电宣传。",
                action_taken="选址、施工、验收均已完成，居民扫码即可充电。",
            )
        with demo_clock(_at(today, 75)):
            done.refresh_from_db()
            done = services.proposal_feedback(actor=secretary, proposal=done, satisfied=True, note="居民很满意。")
            services.proposal_commend(actor=secretary, proposal=done)

    handling = table(
        "关于老旧小区加装电梯的建议",
        40,
        channel=CONGRESS,
        problem="辖区6栋老旧住宅楼无电梯，老年人上下楼困难。",
        suggestion="摸清居民意愿，争取加装电梯补助，成员单位提供政策和技术支持。",
        lead_proposer="刘德华",
        lead_is_representative=True,
        units=[unit],
    )
    if handling is not None:
        with demo_clock(_at(today, 38)):
            handling = services.proposal_register(actor=secretary, proposal=handling)
            services.proposal_assign(
                actor=secretary,
                proposal=handling,
                units=[unit],
                to_committee=True,
                due_on=today + datetime.timedelta(days=20),
                today=timezone.localdate(),
            )

    table(
        "关于规范小区停车管理的建议",
        3,
        channel=JOINT,
        problem="小区车位紧张，乱停乱放堵塞消防通道。",
        suggestion="施划停车位，错时共享驻区单位停车场。",
        lead_proposer="陈静",
        co_signers=["周涛", "吴芳", "郑伟"],
    )

    declined = table(
        "关于调整个人住房补贴的建议",
        30,
        channel=JOINT,
        problem="个人住房补贴标准偏低。",
        suggestion="提高补贴标准。",
        lead_proposer="孙丽",
        co_signers=["钱進", "冯军"],
    )
    if declined is not None:
        with demo_clock(_at(today, 28)):
            services.proposal_decline(
                actor=secretary,
                proposal=declined,
                reason="属于个人待遇事项，不在大党委协调议事范围内，已引导通过所在单位反映。",
            )
