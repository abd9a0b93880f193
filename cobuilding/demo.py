"""Demo co-building (R15–R20) of the pilot committee 陵园社区 for the demo year (the current year).

What ``seed(demo)`` builds, all through ``cobuilding.services`` (validated, audited):

- the year's call for pledges; co-building agreements (R16) with the six principles (R15):
  five units signed (the demo liaison's among them, signed by the liaison with a scan), one
  sent and waiting for its signature, one still a draft;
- pledges (R17) in all eight kinds by the demo liaison's unit and others, in every state:
  draft, submitted (待审核), returned with a comment, accepted, fulfilled through confirmed
  fulfilment reports, and one accepted pledge with a report awaiting the secretary's review;
- two public-benefit projects: one claimed by two units (one completed and confirmed, one
  asking for acceptance), one open for claims now;
- the year's two dedication days (R18): the first held in May with the units' participants,
  the second upcoming in a few days;
- in-service party members (R20) who reported to the community, with their services, and a
  two-way service commitment (R19) between the community and the demo liaison's unit.

The past is written under ``committees.demo.demo_clock`` (see meetings.demo): each service runs
"on the day" so its date checks hold and the history reads as it happened; a step later than
today is left out. Liaison actions of the demo liaison's unit are done by the demo liaison, the
community's (and the other units', which have no accounts) by the demo secretary.

Idempotent by natural keys: the call by (committee, year), an agreement by (unit, start), a
pledge by (unit, year, title), a project by (committee, title), a dedication day by
(committee, year, sequence), an in-service member by (unit, name, phone), a commitment by
(unit, year, content).
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from committees.demo import GIVEN, LINGYUAN, SURNAMES, Demo, build_demo, demo_clock, moment
from committees.models import Unit

from . import services
from .models import (
    Agreement,
    Commitment,
    DedicationDay,
    InServiceMember,
    Pledge,
    PledgeCall,
    PledgeKind,
    Project,
)

K = PledgeKind


def scan_pdf(title: str) -> bytes:
    """A small valid one-page PDF standing in for a signed and sealed scan."""
    text = title.encode("ascii", "replace").decode("ascii").replace("(", "[").replace(")", "]")
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@dataclass(frozen=True)
class Report:
    day: tuple[int, int]  # (month, day) delivered
    text: str
    amount: str = "0"
    final: bool = False
    confirmed: tuple[int, int] | None = None  # (month, day) the secretary confirmed it


@dataclass(frozen=True)
class PledgeSpec:
    unit: int
    kind: str
    title: str
    description: str
    quantity: str = ""
    value: str | None = None
    created: tuple[int, int] = (2, 20)
    submitted: tuple[int, int] | None = (2, 26)
    accepted: tuple[int, int] | None = (3, 5)
    returned: str = ""  # the secretary's comment (returned instead of accepted)
    reports: tuple[Report, ...] = field(default_factory=tuple)


PLEDGES = (
    # The demo liaison's unit (国网示范县供电公司): every state.
    PledgeSpec(
        2,
        K.TECHNOLOGY,
        "老旧小区用电安全义务检查",
        "组织党员电工对陵园路沿线老旧小区开展入户用电安全检查，更换老化开关插座。",
        quantity="入户检查200户",
        value="5000",
        reports=(
            Report((4, 22), "完成陵园路1号院、3号院入户检查112户，更换老化开关36个。", "2800", False, (4, 24)),
            Report((6, 10), "完成剩余88户检查，全部整改到位。", "2200", True, (6, 12)),
        ),
    ),
    PledgeSpec(
        2,
        K.MATERIAL,
        "捐赠LED节能路灯30盏",
        "为烈士陵园街背街小巷捐赠并安装LED节能路灯30盏。",
        quantity="路灯30盏",
        value="18000",
        reports=(
            Report((7, 8), "第一批15盏路灯已安装并通电。", "9000", False, (7, 10)),
            Report((11, 24), "第二批15盏路灯已安装，请社区验收。", "9000", True),
        ),
    ),
    PledgeSpec(
        2,
        K.TALENT,
        "党员电工志愿服务队",
        "组建党员电工志愿服务队，每月到社区开展一次便民维修服务。",
        quantity="志愿服务12次",
        created=(11, 18),
        submitted=(11, 25),
        accepted=None,
    ),
    PledgeSpec(
        2,
        K.EDUCATION,
        "“安全用电进课堂”主题宣讲",
        "走进社区学校和老年大学开展安全用电知识宣讲。",
        quantity="宣讲4场",
        created=(11, 27),
        submitted=None,
        accepted=None,
    ),
    # Other units, recorded by the community.
    PledgeSpec(
        1,
        K.TALENT,
        "专家义诊进社区",
        "每季度派出内科、儿科、中医科专家到社区义诊一次。",
        quantity="义诊4次",
        reports=(
            Report((3, 28), "第一季度义诊，服务居民132人次。", confirmed=(3, 30)),
            Report((9, 26), "完成全年义诊4次，累计服务居民506人次。", final=True, confirmed=(9, 29)),
        ),
    ),
    PledgeSpec(
        3,
        K.VENUE,
        "开放学校操场和图书室",
        "周末和寒暑假向社区居民开放操场和图书室。",
        quantity="开放周末及寒暑假",
        reports=(Report((8, 30), "暑假期间开放操场和图书室，接待居民约2100人次。", final=True, confirmed=(9, 2)),),
    ),
    PledgeSpec(
        4,
        K.POLICY,
        "法律政策宣讲和诉前调解",
        "派驻法官开展法律政策宣讲，参与社区矛盾纠纷诉前调解。",
        quantity="宣讲6场、调解室每周开放1天",
        reports=(Report((10, 28), "全年宣讲6场，调解纠纷23件。", final=True, confirmed=(10, 30)),),
    ),
    PledgeSpec(
        5,
        K.FUNDS,
        "社区帮扶资金",
        "捐助社区困难党员和困难群众帮扶资金。",
        value="20000",
        reports=(
            Report((4, 15), "拨付第一笔帮扶资金。", "10000", confirmed=(4, 16)),
            Report((9, 15), "拨付第二笔帮扶资金。", "10000", confirmed=(9, 16)),
        ),
    ),
    PledgeSpec(
        6,
        K.INFORMATION,
        "共享地理信息数据",
        "向社区提供辖区地理信息数据。",
        quantity="数据1套",
        returned="请写明数据的范围、格式和更新频次，以及社区使用的保密要求。",
    ),
    PledgeSpec(
        7,
        K.INFORMATION,
        "智慧社区网络覆盖",
        "为党群服务中心和3个网格服务站免费提供光纤宽带和无线网络。",
        quantity="4个站点",
        value="12000",
    ),
    PledgeSpec(
        8,
        K.MATERIAL,
        "重阳节慰问品",
        "为社区80岁以上老人捐赠重阳节慰问品。",
        quantity="慰问品150份",
        value="6000",
        created=(11, 20),
        submitted=(11, 26),
        accepted=None,
    ),
)

AGREEMENT_TEXT = {
    "org_joint": "双方党组织结对共建，每半年召开一次联席会议，共同研究区域党建工作。",
    "member_joint": "单位在职党员到社区报到，参加网格服务，服务情况年底反馈单位党组织。",
    "activity_joint": "共同开展主题党日、党员奉献日和节庆文化活动。",
    "resource_joint": "单位会议室、活动场地在节假日向社区开放；社区党群服务中心向单位党员开放。",
    "service_joint": "单位结合行业特点，每季度至少开展一次便民服务。",
    "support_joint": "单位按大党委会议确定的比例筹集共建经费，并为社区重点项目提供支持。",
}


def _names(rng: random.Random, n: int, used: set[str]) -> list[str]:
    names = []
    while len(names) < n:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        if name not in used:
            used.add(name)
            names.append(name)
    return names


class _Builder:
    def __init__(self, demo: Demo):
        self.demo = demo
        self.committee = demo.committees[LINGYUAN.name]
        self.units: list[Unit] = demo.units[LINGYUAN.name]
        self.secretary = demo.users["secretary"]
        self.liaison = demo.users["liaison"]
        self.today = timezone.localdate()
        self.year = self.today.year
        self.now = timezone.now()

    def when(self, md: tuple[int, int] | None, hour: int = 10) -> datetime.datetime | None:
        """The moment of a (month, day) of the demo year, or None if it is not in the past yet."""
        if md is None:
            return None
        at = moment(datetime.date(self.year, *md), hour)
        return at if at < self.now else None

    def actor_for(self, unit: Unit):
        return self.liaison if self.liaison.unit_id == unit.pk else self.secretary

    # --- the call and the agreements (R16) ---------------------------------------------------

    def call(self) -> None:
        at = self.when((1, 10))
        if at is None or PledgeCall.objects.filter(committee=self.committee, year=self.year).exists():
            return
        with demo_clock(at):
            services.pledge_call_open(
                actor=self.secretary,
                committee=self.committee,
                year=self.year,
                submit_by=datetime.date(self.year, 2, 28),
                note="请各成员单位结合自身优势，从政策、人才、技术、物资、资金、信息、教育、阵地八个方面填写共建承诺。",
            )
        self.demo.count("承诺征集")

    def agreements(self) -> None:
        start = datetime.date(self.year, 1, 1)
        end = datetime.date(self.year + 1, 12, 31)
        plan = [(1, (2, 3)), (2, (2, 5)), (3, (2, 9)), (4, (2, 12)), (5, (2, 16)), (6, None), (7, "draft")]
        for index, signed in plan:
            unit = self.units[index]
            created = self.when((1, 12))
            if created is None or Agreement.objects.filter(unit=unit, period_start=start).exists():
                continue
            with demo_clock(created):
                agreement = services.agreement_create(
                    actor=self.secretary, unit=unit, period_start=start, period_end=end, **AGREEMENT_TEXT
                )
            self.demo.count("共建协议")
            if signed == "draft":
                continue
            sent = self.when((1, 15))
            if sent is None:
                continue
            with demo_clock(sent):
                services.agreement_send(actor=self.secretary, agreement=agreement)
            at = self.when(signed, 15)
            if at is None:
                continue
            with demo_clock(at):
                services.agreement_sign(
                    actor=self.actor_for(unit),
                    agreement=agreement,
                    signed_on=at.date(),
                    scan=SimpleUploadedFile(
                        f"共驻共建协议书-{unit.name}.pdf",
                        scan_pdf(f"Co-building agreement {self.year}-{self.year + 1}, unit {unit.pk} (signed scan)"),
                        content_type="application/pdf",
                    ),
                )

    # --- pledges (R17) ------------------------------------------------------------------------

    def pledges(self) -> None:
        for spec in PLEDGES:
            unit = self.units[spec.unit]
            created = self.when(spec.created)
            if created is None or Pledge.objects.filter(unit=unit, year=self.year, title=spec.title).exists():
                continue
            actor = self.actor_for(unit)
            with demo_clock(created):
                pledge = services.pledge_create(
                    actor=actor,
                    unit=unit,
                    year=self.year,
                    kind=spec.kind,
                    title=spec.title,
                    description=spec.description,
                    quantity=spec.quantity,
                    value=Decimal(spec.value) if spec.value else None,
                    period_start=datetime.date(self.year, 1, 1),
                    period_end=datetime.date(self.year, 12, 31),
                    contact_name=unit.liaison_name,
                    contact_phone=unit.liaison_phone,
                )
            self.demo.count("共建承诺")
            at = self.when(spec.submitted)
            if at is None:
                continue
            with demo_clock(at):
                pledge = services.pledge_submit(actor=actor, pledge=pledge)
            if spec.returned:
                at = self.when((3, 6), 15)
                if at is not None:
                    with demo_clock(at):
                        services.pledge_return(actor=self.secretary, pledge=pledge, comment=spec.returned)
                continue
            at = self.when(spec.accepted, 15)
            if at is None:
                continue
            with demo_clock(at):
                pledge = services.pledge_accept(actor=self.secretary, pledge=pledge, comment="同意，请按期兑现。")
            for report in spec.reports:
                at = self.when(report.day, 16)
                if at is None:
                    break
                with demo_clock(at):
                    fulfilment = services.fulfilment_report(
                        actor=actor,
                        pledge=pledge,
                        delivered_on=at.date(),
                        text=report.text,
                        amount=Decimal(report.amount),
                        is_final=report.final,
                    )
                at = self.when(report.confirmed, 11)
                if at is not None:
                    with demo_clock(at):
                        services.fulfilment_confirm(
                            actor=self.secretary, fulfilment=fulfilment, comment="经核实，情况属实。"
                        )

    # --- public-benefit projects (R17 认领公益项目) ------------------------------------------

    def projects(self) -> None:
        title = "陵园路老旧小区楼道照明改造"
        published = self.when((3, 25))
        if published is not None and not Project.objects.filter(committee=self.committee, title=title).exists():
            with demo_clock(published):
                project = services.project_publish(
                    actor=self.secretary,
                    committee=self.committee,
                    title=title,
                    need="陵园路1号至5号院楼道照明老化，需更换声控节能灯并改造线路，分两个片区实施。",
                    place="陵园路1号至5号院",
                    budget=Decimal("36000"),
                    claim_by=datetime.date(self.year, 4, 30),
                    deadline=datetime.date(self.year, 11, 30),
                    places=2,
                )
            self.demo.count("公益项目")
            steps = (
                (
                    self.units[2],
                    (4, 2),
                    (((5, 20), "完成1号、2号院楼道线路改造。", False), ((7, 15), "3号院改造完成，申请验收。", True)),
                    (7, 22),
                ),
                (
                    self.units[10],
                    (4, 8),
                    (((6, 10), "4号院声控灯更换完成。", False), ((11, 28), "5号院完工，申请验收。", True)),
                    None,
                ),
            )
            for unit, claimed, updates, confirmed in steps:
                at = self.when(claimed)
                if at is None:
                    continue
                actor = self.actor_for(unit)
                with demo_clock(at):
                    claim = services.project_claim(actor=actor, project=project, unit=unit)
                for day, text, asks in updates:
                    at = self.when(day, 16)
                    if at is None:
                        break
                    with demo_clock(at):
                        services.claim_progress_report(
                            actor=actor, claim=claim, happened_on=at.date(), text=text, asks_completion=asks
                        )
                at = self.when(confirmed, 11)
                if at is not None and claim.updates.exists():
                    with demo_clock(at):
                        services.claim_confirm_completion(actor=self.secretary, claim=claim, on=at.date())
            closed = self.when((5, 1), 9)
            if closed is not None:
                with demo_clock(closed):
                    services.project_close(actor=self.secretary, project=project)
        # One project open for claims now, claimed by one unit so far.
        title = "社区儿童“四点半课堂”志愿辅导"
        if not Project.objects.filter(committee=self.committee, title=title).exists():
            published = moment(self.today - datetime.timedelta(days=6), 10)
            with demo_clock(published):
                project = services.project_publish(
                    actor=self.secretary,
                    committee=self.committee,
                    title=title,
                    need="为双职工家庭小学生提供放学后作业辅导和阅读陪伴，每个工作日16:30—18:00。",
                    place="陵园社区党群服务中心一楼",
                    budget=Decimal("8000"),
                    claim_by=self.today + datetime.timedelta(days=20),
                    deadline=self.today + datetime.timedelta(days=140),
                    places=3,
                )
            with demo_clock(published + datetime.timedelta(days=2)):
                services.project_claim(actor=self.secretary, project=project, unit=self.units[3])
            self.demo.count("公益项目")

    # --- dedication days (R18) and in-service members (R20) ---------------------------------

    def dedication_days(self, rng: random.Random, used: set[str]) -> None:
        held = self.when((5, 20), 8)
        if (
            held is not None
            and not DedicationDay.objects.filter(committee=self.committee, year=self.year, sequence=1).exists()
        ):
            with demo_clock(held):
                day = services.dedication_day_record(
                    actor=self.secretary,
                    committee=self.committee,
                    held_on=held.date(),
                    theme="清洁家园·党员先行",
                    place="陵园路、烈士陵园街沿线",
                    sequence=1,
                )
            self.demo.count("党员奉献日")
            at = self.when((5, 21), 10)
            if at is not None:
                for index, n in ((1, 12), (2, 9), (3, 6), (4, 5), (5, 3), (9, 4)):
                    unit = self.units[index]
                    with demo_clock(at):
                        services.dedication_participation_record(
                            actor=self.actor_for(unit), day=day, unit=unit, names="\n".join(_names(rng, n, used))
                        )
        upcoming = self.today + datetime.timedelta(days=10)
        if (
            upcoming.year == self.year
            and not DedicationDay.objects.filter(committee=self.committee, year=self.year, sequence=2).exists()
        ):
            services.dedication_day_record(
                actor=self.secretary,
                committee=self.committee,
                held_on=upcoming,
                theme="冬日暖心·邻里守望",
                place="陵园社区党群服务中心",
                sequence=2,
            )
            self.demo.count("党员奉献日")

    def members(self, rng: random.Random, used: set[str]) -> None:
        grids = sorted({u.grid for u in self.units}, key=lambda g: g.pk)
        for index, count, reported in ((2, 6, (3, 3)), (1, 4, (3, 10))):
            unit = self.units[index]
            at = self.when(reported)
            if at is None or InServiceMember.objects.filter(unit=unit).exists():
                continue
            actor = self.actor_for(unit)
            for i, name in enumerate(_names(rng, count, used)):
                phone = f"139{rng.randrange(10**8):08d}"
                with demo_clock(at + datetime.timedelta(days=i)):
                    member = services.member_register(
                        actor=actor,
                        unit=unit,
                        name=name,
                        phone=phone,
                        grid=grids[i % len(grids)],
                        reported_on=(at + datetime.timedelta(days=i)).date(),
                    )
                for day, content, hours in (
                    ((5, 20), "党员奉献日：清理楼道堆放物", "3"),
                    ((8, 12), "网格巡查和政策宣传", "2"),
                ):
                    served = self.when(day, 18)
                    if served is not None and i % 2 == 0:
                        with demo_clock(served):
                            services.member_service_add(
                                actor=actor,
                                member=member,
                                served_on=served.date(),
                                content=content,
                                hours=Decimal(hours),
                            )
                self.demo.count("在职党员")

    # --- two-way commitments (R19) --------------------------------------------------------

    def commitments(self) -> None:
        unit = self.units[2]
        S, N, A, St = Commitment.Side, Commitment.Kind, Commitment.Area, Commitment.Status
        rows = (
            (
                S.COMMUNITY,
                N.NEED,
                A.PROBLEMS,
                "陵园路老旧小区线路老化，请协助排查改造",
                (9, 30),
                St.DONE,
                "3号院线路改造已完成",
            ),
            (S.UNIT, N.PROMISE, A.VENUES, "开放公司职工活动室，作为网格党员活动阵地", (6, 30), St.DONE, "每周六开放"),
            (
                S.COMMUNITY,
                N.PROMISE,
                A.EDUCATION,
                "为公司青年党员提供社区志愿服务实践岗位",
                (12, 31),
                St.IN_PROGRESS,
                "已安排8名青年党员到网格服务",
            ),
            (S.UNIT, N.NEED, A.EDUCATION, "社区协助开展职工子女暑期托管", (8, 31), St.DONE, "暑期托管班开办6周"),
        )
        at = self.when((2, 18))
        if at is None:
            return
        for side, kind, area, content, due, status, note in rows:
            if Commitment.objects.filter(unit=unit, year=self.year, content=content).exists():
                continue
            actor = self.secretary if side == S.COMMUNITY else self.liaison
            with demo_clock(at):
                commitment = services.commitment_create(
                    actor=actor,
                    unit=unit,
                    year=self.year,
                    side=side,
                    kind=kind,
                    area=area,
                    content=content,
                    due_on=datetime.date(self.year, *due),
                )
            self.demo.count("双向承诺")
            done = self.when(due, 17) if status == St.DONE else self.when((10, 15))
            if done is not None:
                with demo_clock(done):
                    services.commitment_set_status(actor=actor, commitment=commitment, status=status, note=note)


@transaction.atomic
def seed(demo: Demo | None = None) -> None:
    """The pilot committee's co-building year (see the module docstring). Idempotent."""
    demo = demo or build_demo()
    b = _Builder(demo)
    rng = random.Random(f"cobuilding:{b.year}")
    used = {u.liaison_name for u in b.units} | {u.party_org_secretary for u in b.units}
    b.call()
    b.agreements()
    b.pledges()
    b.projects()
    b.dedication_days(rng, used)
    b.members(rng, used)
    b.commitments()
