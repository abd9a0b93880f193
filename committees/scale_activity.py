"""A year of activity for the county of ``seed_scale --activity`` (issue #17 item 1).

Bulk inserts (no services: a service per row would take hours at county scale), but every row
satisfies the models' constraints and the rules the services enforce:

- meetings (R8): one per quarter per committee, held, with agendas (R11), attendees chosen by
  topic (R10): the committee's posts in force on the day vote, unit representatives attend
  (列席); replies, attendance;
- motions (R12.3): named votes only by entitled voters present, voters snapshotted, the result
  counted by ``meetings.services.votes.motion_result``; resolutions from passed motions (R12.4);
  the record (会议记录) and numbered minutes (期号), approved at the next meeting;
- follow-up tasks (R13): done, open and overdue, open and not yet due;
- pledges (R17) in every state with their fulfilment reports, projects and claims;
- funding (R23): a fiscal year per committee, an active share plan decided by its own motion,
  a share line for every unit, payments (full, partial, none: arrears), income and spending;
- an R21 scoring round on a published county scheme: a task for every unit, both bodies' sheets
  with a line per indicator, most finalised, the results released;
- notices in the outbox (sent meeting notices, pending reminders of overdue tasks).

Every row the services would record in history gets one creation record (``_bulk``).
Rows are keyed to the scale county: ``delete_activity`` removes them again, children first.
"""

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from assessment import rules
from assessment.models import (
    Indicator,
    RankingFile,
    Round,
    RoundScorer,
    Scheme,
    ScoreCorrection,
    ScoreLine,
    ScoreSheet,
    ScoringTask,
    Sheet,
    TaskEvidence,
)
from cobuilding.models import Fulfilment, FulfilmentPhoto, Pledge, PledgeCall, PledgeKind, Project, ProjectClaim
from funding.models import (
    BudgetLine,
    Expense,
    ExpenseReceipt,
    FiscalYear,
    Income,
    Payment,
    ShareLine,
    SharePlan,
    Source,
)
from funding.models import Category as SpendCategory
from inbox.models import Message
from meetings.models import (
    PORTAL_TZ,
    AgendaAttachment,
    AgendaItem,
    Attendee,
    ChangeNotice,
    FollowUpTask,
    Meeting,
    MeetingRecord,
    Minutes,
    MinutesAmendment,
    MinutesCorrection,
    Motion,
    MotionVoter,
    Resolution,
    TaskUpdate,
    Vote,
)
from meetings.services.votes import motion_result

from .models import Post, Unit

MESSAGE_PREFIX = "scale:"  # every outbox row of the scale county has a key starting with this
REPS_PER_MEETING = 10  # unit representatives (列席) asked to each meeting
LIAISONS_PER_COMMUNITY = 5
SHARE = Decimal("600.00")
INDICATORS = (  # (title, points, evidence source)
    ("参加大党委会议", Decimal("25"), "attendance"),
    ("按期完成落实任务", Decimal("25"), "tasks_on_time"),
    ("认领承诺兑现", Decimal("25"), "pledges_fulfilled"),
    ("按时足额缴纳共建经费", Decimal("25"), "dues_on_time"),
)
QUARTER_MONTH = {1: 2, 2: 5, 3: 8, 4: 11}
AGENDA = (
    ("a", "区域党建重点工作推进"),
    ("c", "居民诉求办理情况通报"),
    ("b", "评先奖优与行风评议"),
)


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=PORTAL_TZ)


class Activity:
    """Builds the activity of one year for every committee of ``county``."""

    def __init__(self, *, county, actor, year: int, today: datetime.date, bulk, stdout=None):
        self.county, self.actor, self.year, self.today = county, actor, year, today
        self._bulk = bulk  # the command's bulk_create with one history record per row
        self.stdout = stdout
        self.made: dict[str, int] = {}

    def _plain(self, model, objs, batch_size=1000) -> list:
        """bulk_create without history, for rows whose model keeps none."""
        return model.objects.bulk_create(list(objs), batch_size=batch_size)

    def _count(self, label: str, rows) -> list:
        self.made[label] = self.made.get(label, 0) + len(rows)
        return rows

    def build(self, *, password: str) -> dict[str, int]:
        from .models import Committee

        self.committees = list(
            Committee.objects.filter(community__township__county=self.county, is_active=True)
            .select_related("community")
            .order_by("pk")
        )
        self.units_of: dict[int, list[Unit]] = {}
        for unit in Unit.objects.filter(community__township__county=self.county, is_active=True).order_by("pk"):
            self.units_of.setdefault(unit.community_id, []).append(unit)
        self.posts_of: dict[int, list[Post]] = {}
        for post in Post.objects.filter(committee__in=self.committees, status=Post.Status.IN_FORCE).order_by(
            "kind", "pk"
        ):
            self.posts_of.setdefault(post.committee_id, []).append(post)
        self._users(password)
        self._meetings()
        self._cobuilding()
        self._funding()
        self._assessment()
        self._outbox()
        return self.made

    # --- users ----------------------------------------------------------------------------

    def _users(self, password: str) -> None:
        """A secretary per community, liaisons of the first units of each, and a named scorer."""
        rows = []
        for i, c in enumerate(self.committees):
            rows.append(
                User(
                    username=f"scale_s{i + 1:03d}",
                    full_name=f"{c.community.name}书记",
                    role=User.Role.SECRETARY,
                    community=c.community,
                    email=f"s{i + 1}@scale.example.cn",
                    password=password,
                )
            )
            for unit in self.units_of[c.community_id][1 : 1 + LIAISONS_PER_COMMUNITY]:
                rows.append(
                    User(
                        username=f"scale_l{unit.pk:05d}",
                        full_name=unit.liaison_name,
                        role=User.Role.LIAISON,
                        unit=unit,
                        email=unit.contact_email,
                        password=password,
                    )
                )
        rows.append(
            User(
                username="scale_scorer",
                full_name="县委组织部评分人",
                role=User.Role.COUNTY,
                county=self.county,
                password=password,
            )
        )
        User.objects.bulk_create(rows, batch_size=1000)
        users = User.objects.filter(username__in=[u.username for u in rows])
        self.secretary_of = {u.community_id: u for u in users if u.role == User.Role.SECRETARY}
        self.liaison_of = {u.unit_id: u for u in users if u.role == User.Role.LIAISON}
        self.scorer = next(u for u in users if u.username == "scale_scorer")
        self._count("账号（书记、联络员、评分人）", rows)

    # --- meetings -------------------------------------------------------------------------

    def _meetings(self) -> None:
        y = self.year
        meetings = []
        for c in self.committees:
            secretary = self.posts_of[c.pk][0] if self.posts_of[c.pk] else None
            for q in (1, 2, 3, 4):
                day = datetime.date(y, QUARTER_MONTH[q], 12 + c.pk % 10)
                meetings.append(
                    Meeting(
                        committee=c,
                        kind=Meeting.Kind.JOINT if q % 2 == 0 else Meeting.Kind.WORK,
                        title=f"{c.name}{y}年第{q}季度{'党建联席会' if q % 2 == 0 else '工作会议'}",
                        starts_at=_at(day, 9, 30),
                        place=f"{c.community.name}党群服务中心会议室",
                        status=Meeting.Status.MINUTES_APPROVED if q < 4 else Meeting.Status.HELD,
                        chair_name=secretary.holder_name if secretary else "",
                        recorder=self.secretary_of[c.community_id],
                        held_on=day,
                    )
                )
        meetings = self._count("会议", self._bulk(Meeting, meetings))
        self.meetings_of: dict[int, list[Meeting]] = {}
        for m in meetings:
            self.meetings_of.setdefault(m.committee_id, []).append(m)

        items = self._count(
            "议题",
            self._bulk(
                AgendaItem,
                [
                    AgendaItem(meeting=m, order=n + 1, category=cat, title=title, presenter=m.chair_name)
                    for m in meetings
                    for n, (cat, title) in enumerate(AGENDA)
                ],
            ),
        )
        items_of = {}
        for item in items:
            items_of.setdefault(item.meeting_id, []).append(item)

        attendees = []
        for c in self.committees:
            posts = self.posts_of[c.pk]
            units = self.units_of[c.community_id]
            member_units = {p.unit_id for p in posts}
            others = [u for u in units if u.pk not in member_units]
            for q, m in enumerate(self.meetings_of[c.pk], start=1):
                on_leave = posts[(q + c.pk) % len(posts)].pk if len(posts) > 2 else None
                for p in posts:
                    leave = p.pk == on_leave
                    attendees.append(
                        Attendee(
                            meeting=m,
                            role=Attendee.Role.MEMBER,
                            name=p.holder_name,
                            post=p,
                            unit=p.unit,
                            phone=p.phone,
                            reply=Attendee.Reply.LEAVE if leave else Attendee.Reply.CONFIRMED,
                            reply_reason="外出学习" if leave else "",
                            replied_at=m.starts_at - datetime.timedelta(days=1),
                            attendance=Attendee.Attendance.LEAVE if leave else Attendee.Attendance.PRESENT,
                            attendance_note="外出学习" if leave else "",
                        )
                    )
                start = (q - 1) * REPS_PER_MEETING
                for u in others[start : start + REPS_PER_MEETING] or others[:REPS_PER_MEETING]:
                    liaison = self.liaison_of.get(u.pk)
                    attendees.append(
                        Attendee(
                            meeting=m,
                            role=Attendee.Role.UNIT_REP,
                            name=u.liaison_name or u.name[:40],
                            unit=u,
                            user=liaison,
                            email=u.contact_email,
                            reply=Attendee.Reply.CONFIRMED,
                            replied_at=m.starts_at - datetime.timedelta(days=1),
                            attendance=Attendee.Attendance.PRESENT,
                        )
                    )
        attendees = self._count("参会人员", self._bulk(Attendee, attendees))
        self.attendees_of: dict[int, list[Attendee]] = {}
        for a in attendees:
            self.attendees_of.setdefault(a.meeting_id, []).append(a)

        # Motions: the first two agenda items of each meeting are put to the vote; the first
        # quarter's second motion is the committee's share plan (R23.1, decided by its own motion).
        motions = []
        for m in meetings:
            q = (m.starts_at.astimezone(PORTAL_TZ).month + 1) // 3
            for n, item in enumerate(items_of[m.pk][:2]):
                share = q == 1 and n == 1
                motions.append(
                    Motion(
                        meeting=m,
                        agenda_item=item,
                        title=f"{self.year}年度成员单位出资分摊方案" if share else f"关于{item.title}的决定",
                        rule=Motion.Rule.MAJORITY_ENTITLED,
                        status=Motion.Status.PUBLISHED,
                        opened_at=m.starts_at + datetime.timedelta(minutes=30 + 20 * n),
                        closed_at=m.starts_at + datetime.timedelta(minutes=40 + 20 * n),
                    )
                )
        voters, votes = [], []
        plan = []  # (motion, [(attendee, choice)])
        for motion in motions:
            members = [a for a in self.attendees_of[motion.meeting.pk] if a.role == Attendee.Role.MEMBER]
            present = [a for a in members if a.attendance == Attendee.Attendance.PRESENT]
            choices = []
            for k, a in enumerate(present):
                choice = Vote.Choice.FOR
                if k == len(present) - 1 and len(present) > 3:
                    choice = Vote.Choice.AGAINST if motion.opened_at.day % 2 else Vote.Choice.ABSTAIN
                choices.append((a, choice))
            f = sum(1 for _, ch in choices if ch == Vote.Choice.FOR)
            against = sum(1 for _, ch in choices if ch == Vote.Choice.AGAINST)
            result = motion_result(
                rule=motion.rule,
                entitled=len(members),
                present=len(present),
                votes_for=f,
                against=against,
                abstain=len(choices) - f - against,
            )
            motion.entitled_count, motion.present_count = len(members), len(present)
            motion.votes_for, motion.votes_against = f, against
            motion.votes_abstain = len(choices) - f - against
            motion.passed = result.passed
            plan.append((motion, members, choices))
        motions = self._count("表决事项", self._bulk(Motion, motions))
        for motion, members, choices in plan:
            for a in members:
                voters.append(
                    MotionVoter(
                        motion=motion,
                        attendee=a,
                        name=a.name,
                        present=a.attendance == Attendee.Attendance.PRESENT,
                    )
                )
            recorder = self.secretary_of[motion.meeting.committee.community_id]
            for a, choice in choices:
                votes.append(
                    Vote(motion=motion, attendee=a, choice=choice, method=Vote.Method.HANDS, recorded_by=recorder)
                )
        self._count("应到表决人", self._plain(MotionVoter, voters))
        self._count("表决票", self._bulk(Vote, votes))

        self._count(
            "会议记录",
            self._bulk(
                MeetingRecord,
                [
                    MeetingRecord(
                        meeting=m,
                        speeches="各成员单位代表围绕议题逐一发言，提出意见建议。",
                        decisions="会议审议通过了相关事项，明确了责任单位和完成时限。",
                    )
                    for m in meetings
                ],
            ),
        )
        minutes = []
        for c in self.committees:
            ms = self.meetings_of[c.pk]
            for q, m in enumerate(ms, start=1):
                approved = q < 4
                minutes.append(
                    Minutes(
                        meeting=m,
                        committee=c,
                        year=self.year,
                        number=q,
                        body=f"{m.title}纪要：会议听取了工作汇报，研究部署了下一阶段工作。",
                        status=Minutes.Status.APPROVED if approved else Minutes.Status.CIRCULATED,
                        approved_at_meeting=ms[q] if approved else None,
                        approved_on=ms[q].held_on if approved else None,
                    )
                )
        self._count("会议纪要", self._bulk(Minutes, minutes))

        resolutions = []
        for motion in motions:
            if not motion.passed:
                continue
            units = [a.unit for a in self.attendees_of[motion.meeting.pk] if a.role == Attendee.Role.UNIT_REP]
            resolutions.append(
                Resolution(
                    meeting=motion.meeting,
                    motion=motion,
                    text=f"会议同意{motion.title.removeprefix('关于').removesuffix('的决定')}。",
                    responsible_unit=units[motion.pk % len(units)] if units else None,
                    deadline=motion.meeting.held_on + datetime.timedelta(days=60),
                )
            )
        resolutions = self._count("决议", self._bulk(Resolution, resolutions))
        self.share_resolution_of = {}
        tasks = []
        for r in resolutions:
            if r.motion.title.endswith("出资分摊方案"):
                self.share_resolution_of[r.meeting.committee_id] = r
                continue
            if r.responsible_unit is None:
                continue
            q = (r.meeting.held_on.month + 1) // 3
            due = r.deadline
            done = q <= 2
            if q == 4:
                due = datetime.date(self.year + 1, 3, 31)
            tasks.append(
                FollowUpTask(
                    resolution=r,
                    committee=r.meeting.committee,
                    title=f"落实：{r.text[:60]}",
                    responsible_unit=r.responsible_unit,
                    owner_name=r.responsible_unit.liaison_name or "联络员",
                    owner=self.liaison_of.get(r.responsible_unit_id),
                    due_on=due,
                    status=FollowUpTask.Status.DONE if done else FollowUpTask.Status.OPEN,
                    progress=100 if done else 40,
                    closed_on=due - datetime.timedelta(days=5) if done else None,
                )
            )
        self.tasks = self._count("督办任务", self._bulk(FollowUpTask, tasks))
        self.made["其中逾期任务"] = sum(
            1 for t in self.tasks if t.status == FollowUpTask.Status.OPEN and t.due_on < self.today
        )

    # --- co-building ----------------------------------------------------------------------

    def _cobuilding(self) -> None:
        y = self.year
        self._plain(
            PledgeCall,
            [PledgeCall(committee=c, year=y, submit_by=datetime.date(y, 3, 31)) for c in self.committees],
        )
        states = list(Pledge.Status.values)  # draft, submitted, returned, accepted, fulfilled
        kinds = list(PledgeKind.values)
        pledges = []
        for c in self.committees:
            secretary = self.secretary_of[c.community_id]
            for k, u in enumerate(self.units_of[c.community_id][1:]):
                state = states[k % len(states)]
                kind = kinds[k % len(kinds)]
                reviewed = state in ("returned", "accepted", "fulfilled")
                pledges.append(
                    Pledge(
                        committee=c,
                        unit=u,
                        year=y,
                        kind=kind,
                        title=f"{PledgeKind(kind).label}支持{k + 1}",
                        description="结合单位优势，为社区居民提供服务。",
                        quantity="" if kind == "funds" else "全年4次",
                        value=Decimal(2000 + 500 * (k % 7)) if kind == "funds" else None,
                        period_start=datetime.date(y, 1, 1),
                        period_end=datetime.date(y, 12, 31),
                        contact_name=u.liaison_name or "联络员",
                        contact_phone=u.liaison_phone or "13900000000",
                        status=state,
                        submitted_at=None if state == "draft" else _at(datetime.date(y, 3, 10), 10),
                        review_comment="请补充具体数量和时间安排。" if state == "returned" else "",
                        reviewed_by=secretary if reviewed else None,
                        reviewed_at=_at(datetime.date(y, 3, 20), 15) if reviewed else None,
                        created_by=self.liaison_of.get(u.pk, secretary),
                    )
                )
        pledges = self._count("共建承诺", self._bulk(Pledge, pledges))
        fulfilments = []
        for p in pledges:
            if p.status not in ("accepted", "fulfilled"):
                continue
            final = p.status == "fulfilled"
            fulfilments.append(
                Fulfilment(
                    pledge=p,
                    delivered_on=datetime.date(y, 9, 1),
                    text="已按承诺开展服务。",
                    amount=(p.value or Decimal(0)) if final else (p.value or Decimal(0)) / 2,
                    is_final=final,
                    status=Fulfilment.Status.CONFIRMED if final else Fulfilment.Status.SUBMITTED,
                    reviewed_by=p.reviewed_by if final else None,
                    reviewed_at=_at(datetime.date(y, 9, 5), 10) if final else None,
                    reported_by=p.created_by,
                )
            )
        self._count("兑现报告", self._bulk(Fulfilment, fulfilments))

        projects = []
        for c in self.committees:
            secretary = self.secretary_of[c.community_id]
            for n, title in enumerate(("老旧小区楼道照明改造", "“一老一小”周末课堂")):
                projects.append(
                    Project(
                        committee=c,
                        title=title,
                        need="需要成员单位提供人员和物资支持。",
                        place=f"{c.community.name}",
                        budget=Decimal(8000 + 2000 * n),
                        claim_by=datetime.date(y, 4, 30),
                        deadline=datetime.date(y, 10, 31),
                        places=3,
                        status=Project.Status.CLOSED,
                        created_by=secretary,
                    )
                )
        projects = self._count("公益项目", self._bulk(Project, projects))
        claims = []
        for p in projects:
            units = self.units_of[p.committee.community_id][1:]
            secretary = self.secretary_of[p.committee.community_id]
            for place in (1, 2):
                u = units[(p.pk * 3 + place) % len(units)]
                completed = place == 1
                claims.append(
                    ProjectClaim(
                        project=p,
                        unit=u,
                        place_no=place,
                        status=ProjectClaim.Status.COMPLETED if completed else ProjectClaim.Status.CLAIMED,
                        claimed_by=self.liaison_of.get(u.pk, secretary),
                        completed_on=datetime.date(y, 10, 20) if completed else None,
                        confirmed_by=secretary if completed else None,
                    )
                )
        self._count("项目认领", self._bulk(ProjectClaim, claims))

    # --- funding --------------------------------------------------------------------------

    def _funding(self) -> None:
        y = self.year
        years = self._count(
            "经费年度",
            self._bulk(
                FiscalYear,
                [FiscalYear(committee=c, year=y, opening_balance=Decimal("5000.00")) for c in self.committees],
            ),
        )
        year_of = {fy.committee_id: fy for fy in years}
        plans, lines = [], []
        for c in self.committees:
            r = self.share_resolution_of.get(c.pk)
            if r is None:
                continue
            units = self.units_of[c.community_id][1:]
            plans.append(
                SharePlan(
                    fiscal_year=year_of[c.pk],
                    total=SHARE * len(units),
                    due_on=datetime.date(y, 6, 30),
                    status=SharePlan.Status.ACTIVE,
                    resolution=r,
                    motion=r.motion,
                    activated_at=r.meeting.starts_at + datetime.timedelta(hours=2),
                )
            )
        plans = self._count("出资分摊方案", self._bulk(SharePlan, plans))
        for plan in plans:
            for u in self.units_of[plan.fiscal_year.committee.community_id][1:]:
                lines.append(
                    ShareLine(
                        plan=plan, unit=u, kind=ShareLine.Kind.FIXED, fixed_amount=SHARE, exact=SHARE, amount=SHARE
                    )
                )
        self._count("单位分摊额", self._bulk(ShareLine, lines))
        payments, arrears = [], 0
        for plan in plans:
            fy = plan.fiscal_year
            secretary = self.secretary_of[fy.committee.community_id]
            for k, u in enumerate(self.units_of[fy.committee.community_id][1:]):
                share = k % 10
                if share == 9:  # one unit in ten: nothing paid yet (arrears)
                    arrears += 1
                    continue
                amount = SHARE if share < 8 else SHARE / 2  # one in ten: half paid (arrears)
                arrears += amount < SHARE
                payments.append(
                    Payment(
                        fiscal_year=fy,
                        unit=u,
                        paid_on=datetime.date(y, 4 + k % 3, 1 + k % 28),
                        amount=amount,
                        method=Payment.Method.TRANSFER,
                        receipt_no=f"{y}-{len(payments) + 1:06d}",
                        recorded_by=secretary,
                    )
                )
        self._count("单位缴款", self._bulk(Payment, payments))
        self.made["其中欠缴单位"] = arrears
        incomes, expenses, budget = [], [], []
        for fy in years:
            incomes += [
                Income(
                    fiscal_year=fy,
                    source=Source.APPROPRIATION,
                    received_on=datetime.date(y, 3, 15),
                    amount=Decimal("20000.00"),
                    payer="县委组织部",
                ),
                Income(
                    fiscal_year=fy,
                    source=Source.DONATIONS,
                    received_on=datetime.date(y, 7, 1),
                    amount=Decimal("3000.00"),
                    donor="爱心企业",
                ),
            ]
            for k, cat in enumerate(
                (SpendCategory.ACTIVITIES, SpendCategory.SERVICES, SpendCategory.OFFICE, SpendCategory.TRAINING)
            ):
                expenses.append(
                    Expense(
                        fiscal_year=fy,
                        category=cat,
                        spent_on=datetime.date(y, 3 + 2 * k, 10),
                        amount=Decimal(1500 + 500 * k),
                        payee="服务供应商",
                    )
                )
            budget += [
                BudgetLine(
                    fiscal_year=fy,
                    direction="income",
                    source=Source.APPROPRIATION,
                    title="县级财政专项拨款",
                    amount=Decimal("20000.00"),
                ),
                BudgetLine(
                    fiscal_year=fy,
                    direction="expense",
                    category=SpendCategory.ACTIVITIES,
                    title="党员活动经费",
                    amount=Decimal("8000.00"),
                ),
            ]
        self._count("收入", self._bulk(Income, incomes))
        self._count("支出", self._bulk(Expense, expenses))
        self._count("预算项目", self._bulk(BudgetLine, budget))

    # --- assessment -----------------------------------------------------------------------

    def _assessment(self) -> None:
        y = self.year
        now = timezone.now()
        scheme = Scheme.objects.create(
            county=self.county,
            year=y,
            title="社区大党委成员单位双百分考核",
            status=Scheme.Status.PUBLISHED,
            published_at=now,
            published_by=self.actor,
            weight=Decimal("0.2"),
        )
        sheet = Sheet.objects.create(scheme=scheme, kind=Sheet.Kind.UNITS)
        Sheet.objects.create(scheme=scheme, kind=Sheet.Kind.DEPARTMENTS)
        indicators = self._bulk(
            Indicator,
            [
                Indicator(sheet=sheet, order=n + 1, title=t, max_points=pts, evidence_source=src)
                for n, (t, pts, src) in enumerate(INDICATORS)
            ],
        )
        round_ = Round.objects.create(
            scheme=scheme,
            county=self.county,
            year=y,
            title="双百分考核",
            self_report_deadline=datetime.date(y, 11, 30),
            scoring_deadline=datetime.date(y, 12, 20),
            released_at=now,
            released_by=self.actor,
        )
        self._plain(RoundScorer, [RoundScorer(round=round_, user=self.scorer, body=RoundScorer.Body.COUNTY)])
        tasks, plan = [], []
        seq = itertools.count()
        for c in self.committees:
            for u in self.units_of[c.community_id]:
                i = next(seq)
                state = (
                    ScoringTask.Status.FINALISED
                    if i % 20 < 18
                    else (ScoringTask.Status.SUBMITTED if i % 20 == 18 else ScoringTask.Status.OPEN)
                )
                points = [
                    max(Decimal(0), pts - Decimal((i * (n + 3)) % 900) / 100)
                    for n, (_, pts, _) in enumerate(INDICATORS)
                ]
                county_points = [max(Decimal(0), p - Decimal(i % 3)) for p in points]
                committee_total, county_total = sum(points), sum(county_points)
                final = rules.combine(committee_total, county_total) if state == "finalised" else None
                tasks.append(
                    ScoringTask(
                        round=round_,
                        unit=u,
                        sheet=sheet,
                        status=state,
                        self_report="本年度认真履行共建承诺，积极参加大党委活动。",
                        self_report_at=_at(datetime.date(y, 11, 20), 10),
                        committee_total=committee_total if state != "open" else None,
                        county_total=county_total if state != "open" else None,
                        final_score=final,
                        grade=rules.grade_for(final, scheme.grade_bands) if final is not None else "",
                        converted=rules.convert(final, scheme.weight) if final is not None else None,
                        reviewed_at=now if final is not None else None,
                        reviewed_by=self.scorer if final is not None else None,
                        finalised_at=now if final is not None else None,
                        finalised_by=self.scorer if final is not None else None,
                    )
                )
                plan.append((c, state, points, county_points))
        tasks = self._count("评分任务", self._bulk(ScoringTask, tasks))
        sheets, sheet_points = [], []
        for task, (c, state, points, county_points) in zip(tasks, plan, strict=True):
            submitted = state != "open"
            for body, scorer, pts in (
                (RoundScorer.Body.COMMITTEE, self.secretary_of[c.community_id], points),
                (RoundScorer.Body.COUNTY, self.scorer, county_points),
            ):
                sheets.append(
                    ScoreSheet(
                        task=task,
                        body=body,
                        scorer=scorer,
                        status=ScoreSheet.Status.SUBMITTED if submitted else ScoreSheet.Status.DRAFT,
                        total=sum(pts) if submitted else None,
                        submitted_at=now if submitted else None,
                    )
                )
                sheet_points.append(pts)
        sheets = self._count("评分表", self._bulk(ScoreSheet, sheets))
        lines = [
            ScoreLine(scoresheet=s, indicator=ind, points=p, suggested=p)
            for s, pts in zip(sheets, sheet_points, strict=True)
            for ind, p in zip(indicators, pts, strict=True)
        ]
        self._count("评分", self._bulk(ScoreLine, lines))

    # --- outbox ---------------------------------------------------------------------------

    def _outbox(self) -> None:
        """Sent notices of every fourth-quarter meeting to its attendees with an account or an
        e-mail address, and pending (due) reminders of the overdue tasks."""
        now = timezone.now()
        rows = []
        for c in self.committees:
            m = self.meetings_of[c.pk][-1]
            for a in self.attendees_of[m.pk]:
                if not (a.user_id or a.email):
                    continue
                rows.append(
                    Message(
                        key=f"{MESSAGE_PREFIX}meeting:{m.pk}:v1:notice:attendee:{a.pk}",
                        kind="meeting_notice",
                        recipient_id=a.user_id,
                        email=a.email,
                        subject=f"会议通知：{m.title}",
                        body=f"请于{m.starts_at.astimezone(PORTAL_TZ):%Y年%m月%d日 %H:%M}到{m.place}参加会议。",
                        url=m.get_absolute_url(),
                        due_at=m.starts_at - datetime.timedelta(days=3),
                        state=Message.State.SENT,
                        sent_at=m.starts_at - datetime.timedelta(days=3),
                        attempts=1,
                    )
                )
        for t in self.tasks:
            if t.status != FollowUpTask.Status.OPEN or t.due_on >= self.today:
                continue
            rows.append(
                Message(
                    key=f"{MESSAGE_PREFIX}task:{t.pk}:overdue",
                    kind="task_overdue",
                    recipient_id=t.owner_id,
                    email=t.responsible_unit.contact_email,
                    subject=f"督办任务已逾期：{t.title[:60]}",
                    body=f"任务“{t.title}”的完成期限为{t.due_on:%Y年%m月%d日}，请尽快办理并报告进展。",
                    url=t.get_absolute_url(),
                    due_at=now,
                )
            )
        rows = self._plain(Message, rows)
        self.made["通知（已发送）"] = sum(1 for r in rows if r.state == Message.State.SENT)
        self.made["通知（待发送）"] = sum(1 for r in rows if r.state == Message.State.PENDING)


def main_pages(year: int) -> tuple[list[tuple[str, str, str, str]], dict]:
    """(role, page, url, a text that must be on it) for each role's main pages, on the first
    committee of the scale county, and the user of each role: what ``bench/http_pages.py``
    loads and ``tests/test_scale_queries.py`` counts the queries of."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from .models import Committee

    committee = Committee.objects.filter(community__township__county__name="规模测试县").order_by("pk").first()
    community, township = committee.community, committee.community.township
    county = township.county
    secretary = User.objects.get(role=User.Role.SECRETARY, community=community)
    liaison = User.objects.filter(role=User.Role.LIAISON, unit__community=community).order_by("pk").first()
    township_user = User.objects.filter(role=User.Role.TOWNSHIP, township=township).first()
    meeting = Meeting.objects.filter(committee=committee).order_by("starts_at").first()
    motion = Motion.objects.filter(meeting=meeting).order_by("pk").first()
    minutes = Minutes.objects.get(meeting=meeting)
    task = FollowUpTask.objects.filter(committee=committee).order_by("pk").first()
    fiscal_year = FiscalYear.objects.get(committee=committee, year=year)
    plan = SharePlan.objects.get(fiscal_year=fiscal_year)
    scoring = ScoringTask.objects.get(round__county=county, unit=liaison.unit)
    r = Round.objects.get(county=county, year=year)

    def ranking(kind, pk):
        return reverse("assessment:ranking") + "?" + urlencode({"year": year, "scope": kind, "id": pk})

    return [
        ("township", "dashboard", reverse("dashboards:township"), community.name),
        ("township", "meetings", reverse("meetings:meeting_list"), meeting.title),
        ("township", "tasks", reverse("meetings:task_list"), ""),
        ("township", "pledges", reverse("cobuilding:pledge_list"), ""),
        ("township", "money overview", reverse("funding:township_overview", args=[township.pk]), community.name),
        ("township", "ranking", ranking("township", township.pk), ""),
        ("secretary", "dashboard", reverse("dashboards:secretary"), ""),
        ("secretary", "meeting", meeting.get_absolute_url(), meeting.title),
        ("secretary", "motion", motion.get_absolute_url(), motion.title),
        ("secretary", "minutes", reverse("meetings:minutes_detail", args=[minutes.pk]), ""),
        ("secretary", "task", task.get_absolute_url(), task.title[:20]),
        ("secretary", "pledges", reverse("cobuilding:pledge_list"), ""),
        ("secretary", "money year", fiscal_year.get_absolute_url(), ""),
        ("secretary", "share plan", plan.get_absolute_url(), ""),
        ("secretary", "arrears", reverse("funding:arrears", args=[fiscal_year.pk]), ""),
        ("secretary", "ledger", reverse("funding:ledger", args=[fiscal_year.pk]), ""),
        ("secretary", "ranking", ranking("committee", committee.pk), ""),
        ("liaison", "dashboard", reverse("dashboards:liaison"), ""),
        ("liaison", "pledges", reverse("cobuilding:pledge_list"), ""),
        ("liaison", "dues", reverse("funding:unit_dues", args=[liaison.unit_id]), ""),
        ("liaison", "scoring task", reverse("assessment:task_detail", args=[scoring.pk]), ""),
        ("county", "dashboard", reverse("dashboards:county"), ""),
        ("county", "co-building overview", reverse("cobuilding:overview"), ""),
        ("county", "money townships", reverse("funding:township_list"), township.name),
        ("county", "ranking", ranking("county", county.pk), ""),
        ("county", "round", reverse("assessment:round_detail", args=[r.pk]), ""),
        ("scorer", "scoring task", reverse("assessment:task_detail", args=[scoring.pk]), ""),
        ("scorer", "score", reverse("assessment:task_score", args=[scoring.pk]), ""),
    ], {
        "township": township_user,
        "secretary": secretary,
        "liaison": liaison,
        "county": User.objects.get(username="scale_county"),
        "scorer": User.objects.get(username="scale_scorer"),
    }


def activity_steps(county, committees, units) -> list:
    """Querysets of the activity of ``county``, children before parents, for the raw delete."""
    meetings = Meeting.objects.filter(committee__in=committees)
    rounds = Round.objects.filter(county=county)
    schemes = Scheme.objects.filter(county=county)
    years = FiscalYear.objects.filter(committee__in=committees)
    scale_users = User.objects.filter(username__startswith="scale_")
    return [
        Message.objects.filter(key__startswith=MESSAGE_PREFIX),
        Message.objects.filter(recipient__in=scale_users),
        RankingFile.objects.filter(round__in=rounds),
        ScoreCorrection.objects.filter(task__round__in=rounds),
        TaskEvidence.objects.filter(task__round__in=rounds),
        ScoreLine.objects.filter(scoresheet__task__round__in=rounds),
        ScoreSheet.objects.filter(task__round__in=rounds),
        ScoringTask.objects.filter(round__in=rounds),
        RoundScorer.objects.filter(round__in=rounds),
        rounds,
        Indicator.objects.filter(sheet__scheme__in=schemes, parent__isnull=False),
        Indicator.objects.filter(sheet__scheme__in=schemes),
        Sheet.objects.filter(scheme__in=schemes),
        schemes,
        Payment.objects.filter(fiscal_year__in=years, refund_of__isnull=False),
        Payment.objects.filter(fiscal_year__in=years),
        ShareLine.objects.filter(plan__fiscal_year__in=years),
        SharePlan.objects.filter(fiscal_year__in=years, supersedes__isnull=False),
        SharePlan.objects.filter(fiscal_year__in=years),
        Income.objects.filter(fiscal_year__in=years),
        ExpenseReceipt.objects.filter(expense__fiscal_year__in=years),
        Expense.objects.filter(fiscal_year__in=years),
        BudgetLine.objects.filter(fiscal_year__in=years),
        years,
        FulfilmentPhoto.objects.filter(fulfilment__pledge__committee__in=committees),
        Fulfilment.objects.filter(pledge__committee__in=committees),
        Pledge.objects.filter(committee__in=committees),
        PledgeCall.objects.filter(committee__in=committees),
        ProjectClaim.objects.filter(project__committee__in=committees),
        Project.objects.filter(committee__in=committees),
        TaskUpdate.objects.filter(task__committee__in=committees),
        FollowUpTask.objects.filter(committee__in=committees),
        Resolution.objects.filter(meeting__in=meetings),
        Vote.objects.filter(motion__meeting__in=meetings),
        MotionVoter.objects.filter(motion__meeting__in=meetings),
        Motion.objects.filter(meeting__in=meetings),
        MinutesCorrection.objects.filter(minutes__meeting__in=meetings),
        MinutesAmendment.objects.filter(minutes__meeting__in=meetings),
        Minutes.objects.filter(meeting__in=meetings),
        MeetingRecord.objects.filter(meeting__in=meetings),
        ChangeNotice.objects.filter(meeting__in=meetings),
        Attendee.objects.filter(meeting__in=meetings),
        AgendaAttachment.objects.filter(item__meeting__in=meetings),
        AgendaItem.objects.filter(meeting__in=meetings),
        meetings,
    ]
