"""Demo meetings (R8–R13): a year of the pilot committee's work, lighter in two others.

What ``seed(demo)`` builds, for the demo year (the current year, ``timezone.localdate()``):

- 陵园社区 (the demo secretary's committee): a quarterly work meeting (R8) in each quarter of
  the year that is over, held, with agenda items in the R11 categories, every member in force
  invited (R10) and the demo liaison's unit as a unit representative, replies and attendance
  (some members on leave), motions voted by a show of hands (R12.3, majority), the record, the
  minutes circulated and approved (the previous quarter's at the next meeting, the last by
  circulation), resolutions with follow-up tasks assigned to units (R13): most done on time,
  one overdue, one in progress with updates. One upcoming meeting in a few days, published
  with its notices in the outbox/inbox and some replies.
- 东关社区 and 西街社区: two held meetings each, with fewer items; each leaves one past
  quarter without a held meeting, so the R8 flag has something to show.

How the past is written: every object goes through the real services (validated, audited,
notices through the outbox). The services refuse a meeting in the past, a report dated
tomorrow and the like, so the historic part runs under ``committees.demo.demo_clock``, which
sets ``django.utils.timezone.now`` to the moment of each step (the meeting scheduled a week
ahead, replies the next day, attendance and votes during the meeting, tasks closed on their
day...). Timestamps and the history therefore read as they happened, and the outbox delivers
the notices and reminders at their due time. A step later than today is left out, so the demo
is consistent whenever it is built (early in a year it simply holds less). The upcoming meeting
is scheduled at the real present.

Idempotent by natural keys: a meeting is looked up by committee and title; if it exists, its
whole chain (votes, minutes, tasks) is taken as built.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from committees.demo import DONGGUAN, LINGYUAN, XIJIE, Demo, build_demo, demo_clock, moment
from committees.models import Committee, Unit
from meetings.models import AgendaItem, Attendee, Meeting, Minutes, Motion, Resolution, Vote
from meetings.services import attendance, followup, notices, scheduling, votes
from meetings.services import minutes as minutes_services

C = AgendaItem.Category
QUARTERS = "一二三四"
SHARE_MOTION = "%(year)s年度成员单位共建经费分摊方案"


@dataclass(frozen=True)
class TaskSpec:
    title: str
    unit: int  # index into the community's units
    due: int  # days after the meeting
    updates: tuple[tuple[int, int, str], ...] = ()  # (days after the meeting, progress %, text)
    closed: int | None = None  # days after the meeting; None: still open


@dataclass(frozen=True)
class ItemSpec:
    category: str
    title: str
    presenter: int  # the unit (index) that reports on it
    minutes: int
    motion: str = ""
    resolution: str = ""
    unit: int = 0  # the resolution's responsible unit
    deadline: int = 30  # days after the meeting
    against: int = 0
    abstain: int = 0
    tasks: tuple[TaskSpec, ...] = ()
    maker: str = ""  # a higher app makes this motion from its own record (see MOTION_MAKERS)


# Motions a higher app makes from its own record through its service, registered by that app's
# demo module: name → callable(demo=, meeting=, agenda_item=, actor=) returning the Motion (or
# None to fall back to a plain motion). funding.demo registers "share_plan" (R23.1: the motion is
# created from the share plan). meetings never imports those apps.
MOTION_MAKERS: dict = {}


@dataclass(frozen=True)
class MeetingSpec:
    quarter: int
    month: int  # the meeting is on the first Wednesday from (month, day)
    day: int
    items: tuple[ItemSpec, ...]
    leave: tuple[tuple[int, str], ...] = ()  # (member index, reason)
    absent: tuple[int, ...] = ()
    with_liaison: bool = False  # invite the demo liaison's unit as a unit representative


LINGYUAN_MEETINGS = (
    MeetingSpec(
        1,
        3,
        16,
        leave=((4, "参加县委党校春季主体班培训"),),
        with_liaison=True,
        items=(
            ItemSpec(
                C.PARTY_BUILDING,
                "审议《%(year)s年度大党委工作要点》",
                0,
                30,
                motion="通过《%(year)s年度大党委工作要点》",
                resolution="通过%(year)s年度大党委工作要点，按季度召开工作会议，重大事项集体研究决定。",
                deadline=20,
                tasks=(
                    TaskSpec(
                        "印发年度工作要点并分解到各成员单位",
                        0,
                        14,
                        updates=((5, 60, "工作要点已印发，正在汇总各单位认领事项。"),),
                        closed=11,
                    ),
                ),
            ),
            ItemSpec(
                C.OTHER,
                "研究%(year)s年度成员单位共建经费分摊方案",
                0,
                25,
                motion=SHARE_MOTION,
                maker="share_plan",
                resolution="通过%(year)s年度成员单位共建经费分摊方案，应筹总额6万元，各成员单位于6月30日前缴纳。",
                deadline=106,
                abstain=1,
                tasks=(TaskSpec("向各成员单位送达缴费通知书", 0, 20, closed=9),),
            ),
            ItemSpec(
                C.COMMUNITY,
                "春季环境卫生整治和陵园路停车秩序",
                10,
                30,
                motion="开展春季环境卫生整治和陵园路停车秩序专项行动",
                resolution="4月底前完成春季环境卫生整治，规范陵园路沿线停车秩序。",
                unit=10,
                deadline=45,
                against=1,
                tasks=(
                    TaskSpec(
                        "陵园路沿线划设停车位、清理楼道堆放物",
                        10,
                        45,
                        updates=(
                            (12, 40, "已清理楼道堆放物86处，停车位方案已与交警中队对接。"),
                            (30, 80, "陵园路西段停车位施划完成，东段待施工。"),
                        ),
                        closed=41,
                    ),
                ),
            ),
        ),
    ),
    MeetingSpec(
        2,
        6,
        15,
        leave=((3, "赴省城参加系统业务会议"),),
        absent=(6,),
        with_liaison=True,
        items=(
            ItemSpec(
                C.AWARDS,
                "评选表彰“七一”先进基层党组织和优秀共产党员",
                0,
                20,
                motion="推荐表彰先进基层党组织3个、优秀共产党员10名",
                resolution="推荐县供电公司党委等3个党组织为先进基层党组织，推荐10名优秀共产党员，报镇党委审定。",
                deadline=10,
                tasks=(TaskSpec("整理先进事迹材料报镇党委", 0, 10, closed=8),),
            ),
            ItemSpec(
                C.COMMUNITY,
                "陵园路3号院老旧小区加装电梯的民生诉求",
                2,
                30,
                motion="配合陵园路3号院加装电梯，完成配套线路改造",
                resolution="县供电公司负责陵园路3号院加装电梯配套线路改造，9月底前完成。",
                unit=2,
                deadline=100,
                tasks=(
                    TaskSpec(
                        "陵园路3号院加装电梯配套线路改造",
                        2,
                        100,
                        updates=(
                            (20, 30, "完成现场勘查和改造方案，已报公司审批。"),
                            (62, 75, "3个单元电缆敷设完成，待电梯安装后接电。"),
                        ),
                        closed=93,
                    ),
                ),
            ),
            ItemSpec(
                C.PARTY_BUILDING,
                "汛期安全隐患排查",
                6,
                20,
                motion="开展汛期地质灾害和房屋安全隐患联合排查",
                resolution="自然资源局牵头，7月底前完成辖区汛期地质灾害和危旧房屋隐患排查。",
                unit=6,
                deadline=45,
                tasks=(
                    TaskSpec("辖区汛期隐患联合排查", 6, 45, updates=((15, 50, "已排查危旧房屋12处。"),), closed=38),
                ),
            ),
        ),
    ),
    MeetingSpec(
        3,
        9,
        14,
        leave=((5, "单位年度审计，无法脱身"),),
        with_liaison=True,
        items=(
            ItemSpec(
                C.COMMUNITY,
                "国庆、中秋期间社区文化活动",
                8,
                20,
                motion="举办“迎双节 邻里情”社区文化活动",
                resolution="华联购物中心承办“迎双节 邻里情”社区文化活动，10月10日前完成。",
                unit=8,
                deadline=24,
                tasks=(TaskSpec("“迎双节 邻里情”社区文化活动", 8, 24, closed=17),),
            ),
            ItemSpec(
                C.COMMUNITY,
                "社区“一老一小”服务阵地建设",
                1,
                30,
                motion="建设社区“一老一小”服务驿站",
                resolution="县人民医院牵头建设社区“一老一小”服务驿站，10月底前投入使用。",
                unit=1,
                deadline=45,
                against=1,
                abstain=1,
                tasks=(
                    TaskSpec(
                        "社区“一老一小”服务驿站建设",
                        1,
                        45,
                        updates=(
                            (14, 30, "选址确定在陵园路党群服务中心一楼。"),
                            (34, 60, "装修完成，医疗设备采购因招标延期。"),
                        ),
                    ),
                ),
            ),
            ItemSpec(
                C.PARTY_BUILDING,
                "冬季供暖和用电安全隐患排查",
                2,
                25,
                motion="开展冬季用电安全入户排查",
                resolution="县供电公司牵头，年底前完成辖区老旧小区冬季用电安全入户排查。",
                unit=2,
                deadline=106,
                tasks=(
                    TaskSpec(
                        "老旧小区冬季用电安全入户排查",
                        2,
                        106,
                        updates=(
                            (29, 40, "已完成陵园路1号院、3号院入户排查320户，整改隐患17处。"),
                            (65, 70, "烈士陵园街片区排查完成，剩余人民路片区。"),
                        ),
                    ),
                ),
            ),
        ),
    ),
)

LIGHT_MEETINGS = {
    DONGGUAN.name: (
        MeetingSpec(
            2,
            6,
            22,
            leave=((3, "外出学习"),),
            items=(
                ItemSpec(
                    C.COMMUNITY,
                    "东关农贸市场周边环境整治",
                    8,
                    30,
                    motion="开展东关农贸市场周边环境联合整治",
                    resolution="市场监管局牵头，7月底前完成东关农贸市场周边环境整治。",
                    unit=2,
                    deadline=40,
                    tasks=(TaskSpec("农贸市场周边占道经营整治", 2, 40, closed=33),),
                ),
                ItemSpec(C.PARTY_BUILDING, "学习贯彻上级党建工作部署", 0, 30),
            ),
        ),
        MeetingSpec(
            3,
            9,
            21,
            items=(
                ItemSpec(
                    C.COMMUNITY,
                    "居家养老服务中心助餐点建设",
                    14,
                    30,
                    motion="建设东关社区老年助餐点",
                    resolution="居家养老服务中心负责建设老年助餐点，11月底前开餐。",
                    unit=14,
                    deadline=70,
                    tasks=(TaskSpec("老年助餐点建设", 14, 70, updates=((30, 50, "场地改造完成。"),), closed=64),),
                ),
            ),
        ),
    ),
    XIJIE.name: (
        MeetingSpec(
            1,
            3,
            23,
            leave=((1, "病假"),),
            items=(
                ItemSpec(
                    C.PARTY_BUILDING,
                    "审议《%(year)s年度大党委工作要点》",
                    0,
                    30,
                    motion="通过《%(year)s年度大党委工作要点》",
                    resolution="通过%(year)s年度大党委工作要点。",
                    deadline=10,
                ),
                ItemSpec(
                    C.COMMUNITY,
                    "西大街夜市噪音扰民问题",
                    15,
                    30,
                    motion="规范西大街夜市经营时间",
                    resolution="商圈联合党支部牵头，规范西大街夜市经营时间至22时。",
                    unit=15,
                    deadline=30,
                    against=1,
                    tasks=(TaskSpec("夜市经营时间规范和巡查", 15, 30, closed=26),),
                ),
            ),
        ),
        MeetingSpec(
            3,
            9,
            7,
            items=(
                ItemSpec(
                    C.COMMUNITY,
                    "文昌苑小区消防通道整治",
                    11,
                    30,
                    motion="开展文昌苑小区消防通道专项整治",
                    resolution="绿城物业负责，10月底前完成文昌苑小区消防通道整治。",
                    unit=11,
                    deadline=50,
                    tasks=(TaskSpec("文昌苑消防通道整治", 11, 50, closed=44),),
                ),
            ),
        ),
    ),
}

UPCOMING_ITEMS = (
    (C.PARTY_BUILDING, "大党委年终报告工作和成员单位评议安排", 0, 40),
    (C.COMMUNITY, "“冬日送温暖”走访慰问困难群众", 0, 30),
    (C.OTHER, "征集下一年度共驻共建项目", 0, 30),
)


def _fmt(text: str, year: int) -> str:
    return text % {"year": year} if "%(year)s" in text else text


def _wednesday(year: int, month: int, day: int) -> datetime.date:
    d = datetime.date(year, month, day)
    return d + datetime.timedelta(days=(2 - d.weekday()) % 7)


def quarterly_title(year: int, quarter: int) -> str:
    return f"{year}年第{QUARTERS[quarter - 1]}季度大党委工作会议"


def share_resolution(committee: Committee, year: int) -> Resolution | None:
    """The resolution of the meeting that decided the year's shares (R23.1), for funding.demo."""
    return (
        Resolution.objects.filter(
            meeting__committee=committee,
            motion__title=SHARE_MOTION % {"year": year},
            motion__passed=True,
        )
        .select_related("meeting")
        .first()
    )


class _Builder:
    """Builds one committee's meetings for the demo year, oldest first."""

    def __init__(self, demo: Demo, community: str, actor, place: str):
        self.demo = demo
        self.committee = demo.committees[community]
        self.units: list[Unit] = demo.units[community]
        self.actor = actor
        self.place = place
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.year = self.today.year
        self.liaison = demo.users.get("liaison")

    def past(self, when: datetime.datetime) -> bool:
        return when < self.now

    # --- one held meeting ------------------------------------------------------------------

    def held_meeting(self, spec: MeetingSpec, previous: Meeting | None) -> Meeting | None:
        day = _wednesday(self.year, spec.month, spec.day)
        start = moment(day, 9, 0)
        if not self.past(start + datetime.timedelta(days=3)):
            return None
        title = quarterly_title(self.year, spec.quarter)
        found = Meeting.objects.filter(committee=self.committee, title=title).first()
        if found is not None:
            return found
        actor = self.actor
        duration = max(90, sum(i.minutes for i in spec.items) + 10)
        with demo_clock(moment(day - datetime.timedelta(days=7), 10, 0)):
            meeting = scheduling.meeting_schedule(
                actor=actor,
                committee=self.committee,
                kind=Meeting.Kind.WORK,
                title=title,
                starts_at=start,
                duration_minutes=duration,
                place=self.place,
            )
            items = [
                scheduling.agenda_item_add(
                    actor=actor,
                    meeting=meeting,
                    category=item.category,
                    title=_fmt(item.title, self.year),
                    presenter=self.units[item.presenter].party_org_secretary or self.units[item.presenter].liaison_name,
                    proposer=self.units[item.presenter].name,
                    planned_minutes=item.minutes,
                )
                for item in spec.items
            ]
            if spec.with_liaison and self.liaison is not None:
                unit = self.liaison.unit
                scheduling.attendee_add(
                    actor=actor, meeting=meeting, role=Attendee.Role.UNIT_REP, name=unit.liaison_name, unit=unit
                )
            scheduling.meeting_publish(actor=actor, meeting=meeting)
        self.demo.count("会议")
        members = list(meeting.attendees.filter(role=Attendee.Role.MEMBER).order_by("pk"))
        leave = {members[i].pk: reason for i, reason in spec.leave if i < len(members)}
        absent = {members[i].pk for i in spec.absent if i < len(members)}
        # Replies (回执) the next day: own accounts reply themselves, the rest by phone.
        with demo_clock(moment(day - datetime.timedelta(days=6), 15, 30)):
            for a in meeting.attendees.order_by("pk"):
                if a.pk in leave:
                    notices.attendee_reply(
                        actor=a.user or actor, attendee=a, reply=Attendee.Reply.LEAVE, reason=leave[a.pk]
                    )
                elif a.pk not in absent:
                    notices.attendee_reply(actor=a.user or actor, attendee=a, reply=Attendee.Reply.CONFIRMED)
        # The session: attendance, then the motions in agenda order.
        with demo_clock(start + datetime.timedelta(minutes=5)):
            for a in meeting.attendees.order_by("pk"):
                if a.pk in leave:
                    attendance.attendance_record(
                        actor=actor, attendee=a, attendance=Attendee.Attendance.LEAVE, note=leave[a.pk]
                    )
                elif a.pk in absent:
                    attendance.attendance_record(actor=actor, attendee=a, attendance=Attendee.Attendance.ABSENT)
                else:
                    attendance.attendance_record(actor=actor, attendee=a, attendance=Attendee.Attendance.PRESENT)
        present = [a for a in members if a.pk not in leave and a.pk not in absent]
        motions: dict[int, Motion] = {}
        minute = 10
        for n, (item, row) in enumerate(zip(spec.items, items, strict=True)):
            minute += item.minutes
            if not item.motion:
                continue
            with demo_clock(start + datetime.timedelta(minutes=minute - 5)):
                maker = MOTION_MAKERS.get(item.maker)
                motion = maker(demo=self.demo, meeting=meeting, agenda_item=row, actor=actor) if maker else None
                if motion is None:
                    motion = votes.motion_create(
                        actor=actor, meeting=meeting, title=_fmt(item.motion, self.year), agenda_item=row
                    )
                votes.motion_open(actor=actor, motion=motion)
                choices = {a.pk: Vote.Choice.FOR for a in present}
                tail = list(reversed(present))
                for a in tail[: item.against]:
                    choices[a.pk] = Vote.Choice.AGAINST
                for a in tail[item.against : item.against + item.abstain]:
                    choices[a.pk] = Vote.Choice.ABSTAIN
                votes.votes_record_hands(actor=actor, motion=motion, choices=choices)
            with demo_clock(start + datetime.timedelta(minutes=minute - 3)):
                votes.motion_close(actor=actor, motion=motion)
                motions[n] = votes.motion_publish(actor=actor, motion=motion)
            self.demo.count("表决事项")
        # After the meeting: held, the record, the resolutions and their tasks.
        after = start + datetime.timedelta(minutes=duration + 30)
        with demo_clock(after):
            meeting.refresh_from_db()
            if meeting.status == Meeting.Status.NOTIFIED:  # the first vote already marked it held (R12.3)
                scheduling.meeting_mark_held(actor=actor, meeting=meeting)
            if previous is not None:
                self.approve(previous, at_meeting=meeting)
        resolutions = []
        with demo_clock(after + datetime.timedelta(hours=2)):
            for n, item in enumerate(spec.items):
                motion = motions.get(n)
                if motion is None or not motion.passed:
                    continue
                resolutions.append(
                    (
                        item,
                        minutes_services.resolution_create(
                            actor=actor,
                            meeting=meeting,
                            text=_fmt(item.resolution, self.year),
                            motion=motion,
                            responsible_unit=self.units[item.unit],
                            deadline=day + datetime.timedelta(days=item.deadline),
                        ),
                    )
                )
            speeches, decisions = minutes_services.record_prefill(meeting=meeting)
            speeches = speeches.replace("发言：", "发言：与会委员结合本单位实际发表意见，一致同意提交表决。")
            minutes_services.record_save(actor=actor, meeting=meeting, speeches=speeches, decisions=decisions)
        with demo_clock(moment(day + datetime.timedelta(days=2), 10, 0)):
            minutes = minutes_services.minutes_create(actor=actor, meeting=meeting)
            minutes_services.minutes_circulate(actor=actor, minutes=minutes)
            for item, resolution in resolutions:
                for t in item.tasks:
                    self.task(resolution, day, t)
        return meeting

    def task(self, resolution: Resolution, day: datetime.date, spec: TaskSpec) -> None:
        unit = self.units[spec.unit]
        owner = self.liaison if self.liaison is not None and self.liaison.unit_id == unit.pk else None
        task = followup.task_create(
            actor=self.actor,
            resolution=resolution,
            title=spec.title,
            responsible_unit=unit,
            owner_name=unit.liaison_name,
            owner=owner,
            due_on=day + datetime.timedelta(days=spec.due),
        )
        self.demo.count("督办任务")
        for offset, progress, text in spec.updates:
            when = moment(day + datetime.timedelta(days=offset), 16, 0)
            if not self.past(when):
                continue
            with demo_clock(when):
                followup.task_progress_add(actor=owner or self.actor, task=task, text=text, progress=progress)
        if spec.closed is not None:
            closed_on = day + datetime.timedelta(days=spec.closed)
            when = moment(closed_on, 17, 0)
            if self.past(when):
                with demo_clock(when):
                    followup.task_close(actor=self.actor, task=task, closed_on=closed_on, note="已按决议要求完成。")

    def approve(self, meeting: Meeting, *, at_meeting: Meeting | None = None, on: datetime.date | None = None) -> None:
        minutes = Minutes.objects.filter(meeting=meeting, status=Minutes.Status.CIRCULATED).first()
        if minutes is None:
            return
        minutes_services.minutes_approve(
            actor=self.actor, minutes=minutes, approved_at_meeting=at_meeting, approved_on=on
        )

    def approve_last(self, meeting: Meeting | None, *, lock_first: Meeting | None = None) -> None:
        """The last held meeting's minutes are approved by circulation two weeks later."""
        if meeting is None:
            return
        on = timezone.localdate(meeting.starts_at) + datetime.timedelta(days=14)
        when = moment(on, 11, 0)
        if self.past(when):
            with demo_clock(when):
                self.approve(meeting, on=on)
                if lock_first is not None:
                    first = Minutes.objects.filter(meeting=lock_first, status=Minutes.Status.APPROVED).first()
                    if first is not None:
                        minutes_services.minutes_lock(actor=self.actor, minutes=first)

    def year_of_meetings(self, specs) -> list[Meeting]:
        made, previous = [], None
        new = False
        for spec in specs:
            existed = Meeting.objects.filter(
                committee=self.committee, title=quarterly_title(self.year, spec.quarter)
            ).exists()
            meeting = self.held_meeting(spec, previous)
            if meeting is None:
                continue
            new = new or not existed
            made.append(meeting)
            previous = meeting
        if new and made:
            self.approve_last(made[-1], lock_first=made[0] if len(made) > 1 else None)
        return made

    # --- the upcoming meeting --------------------------------------------------------------

    def upcoming(self) -> Meeting | None:
        day = self.today + datetime.timedelta(days=3)
        quarter = (day.month - 1) // 3 + 1
        title = quarterly_title(day.year, quarter)
        taken = Meeting.objects.filter(committee=self.committee, title=title)
        if taken.exclude(status=Meeting.Status.NOTIFIED).exists():  # this quarter's meeting is held already
            title = f"{day.year}年{day.month}月党建联席会议"
        if Meeting.objects.filter(committee=self.committee, title=title).exists():
            return None
        actor = self.actor
        meeting = scheduling.meeting_schedule(
            actor=actor,
            committee=self.committee,
            kind=Meeting.Kind.WORK if "季度" in title else Meeting.Kind.JOINT,
            title=title,
            starts_at=moment(day, 9, 30),
            duration_minutes=120,
            place=self.place,
        )
        for category, text, unit, minutes in UPCOMING_ITEMS:
            scheduling.agenda_item_add(
                actor=actor,
                meeting=meeting,
                category=category,
                title=text,
                presenter=self.units[unit].party_org_secretary,
                proposer=self.units[unit].name,
                planned_minutes=minutes,
            )
        if self.liaison is not None:
            unit = self.liaison.unit
            scheduling.attendee_add(
                actor=actor, meeting=meeting, role=Attendee.Role.UNIT_REP, name=unit.liaison_name, unit=unit
            )
        scheduling.meeting_publish(actor=actor, meeting=meeting)
        # Some replies are in: the secretary herself, three members by phone, one asks for leave.
        attendees = list(meeting.attendees.filter(role=Attendee.Role.MEMBER).order_by("pk"))
        secretary = self.demo.users.get("secretary")
        for a in attendees:
            if secretary is not None and a.user_id == secretary.pk:
                notices.attendee_reply(actor=secretary, attendee=a, reply=Attendee.Reply.CONFIRMED)
        phoned = [a for a in attendees if a.user_id is None]
        for a in phoned[:3]:
            notices.attendee_reply(actor=actor, attendee=a, reply=Attendee.Reply.CONFIRMED)
        if len(phoned) > 3:
            notices.attendee_reply(actor=actor, attendee=phoned[3], reply=Attendee.Reply.LEAVE, reason="赴外地出差")
        self.demo.count("会议")
        return meeting


@transaction.atomic
def seed(demo: Demo | None = None) -> None:
    """The demo year's meetings (see the module docstring). Idempotent."""
    demo = demo or build_demo()
    secretary = demo.users["secretary"]
    township = demo.users["township"]
    pilot = _Builder(demo, LINGYUAN.name, secretary, "陵园社区党群服务中心二楼会议室")
    pilot.year_of_meetings(LINGYUAN_MEETINGS)
    pilot.upcoming()
    for community, specs in LIGHT_MEETINGS.items():
        _Builder(demo, community, township, f"{community}党群服务中心会议室").year_of_meetings(specs)
