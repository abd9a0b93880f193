"""Demo R21 double-hundred-point assessment (双百分考核) for 示范县, built through the services.

What ``seed(demo)`` builds:

- a published county scheme for the demo year (the current year) and one for last year: two
  sheets of 100 points each, leaves with data sources (meetings attended, tasks on time, pledges,
  projects, dedication days, in-service members, dues on time) and leaves scored by hand, a
  bonus and a deduction item per sheet, the default grade bands and the conversion weight 0.3;
- a county organisation department scorer ``zzb`` (county reviewer of 示范县, the demo password);
- last year's round, done: every unit scored by both bodies in December, reviewed, finalised
  and the results released (each unit's liaison got the notice, so the demo liaison reads a
  result and its notice);
- this year's round, in progress: most units of 陵园社区 scored by both bodies with the
  suggestions pre-filled from the demo's real meetings, pledges, projects, days, members and
  payments (the county body adjusts a few, with a reason), some of them reviewed and finalised;
  a few with only the committee's sheet; the other communities untouched or in draft; the demo
  liaison's self-report written. A round is released only when every task is finalised (R21),
  so this year's results stay unreleased — the released result the liaison sees is last year's.
- the county's list of functional departments (职能部门): 县民政局 and 县住建局 with their
  community-building duties; this year's round holds their tasks (not scored yet), last year's
  (built before the list) units only.

Last year's round runs under ``committees.demo.demo_clock`` (its December), this year's at the
present. Idempotent: a scheme is looked up by county, year and title, a round by county and
year; a round that exists is taken as built.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from committees.demo import DEMO_PASSWORD, DONGGUAN, LINGYUAN, Demo, build_demo, demo_clock, moment
from committees.models import Unit

from . import departments, evidence, scoring, services
from .models import FunctionalDepartment, Indicator, Round, Scheme, ScoringTask
from .rules import quantise

D = Decimal
TITLE = "社区“大党委”双百分考核"
WEIGHT = D("0.3")
SCORER = "zzb"

# (group, [(title, points, evidence source, guidance)]) per sheet; then bonus and deduction items.
UNITS_SHEET = (
    (
        "组织共建",
        (
            ("参加大党委会议", 20, "attendance", "按应参会次数计分，请假、缺席不得分。"),
            ("按期完成落实任务", 20, "tasks_on_time", "大党委会议交办任务按期办结计分。"),
        ),
    ),
    (
        "资源共享",
        (
            ("认领承诺兑现", 15, "pledges_fulfilled", "年初认领承诺的兑现比例。"),
            ("认领项目完成", 10, "projects_completed", "认领共建项目按期完成。"),
            ("按时足额缴纳共建经费", 10, "dues_on_time", "按出资比例按时足额缴纳。"),
        ),
    ),
    (
        "党员作用",
        (
            ("参加党员奉献日", 10, "dedication_days", "每月党员奉献日参与情况。"),
            ("在职党员到社区报到", 10, "in_service_members", "在职党员报到人数占比。"),
            ("居民满意度", 5, "", "居民代表测评，评分人据测评结果评分。"),
        ),
    ),
)
DEPARTMENTS_SHEET = (
    (
        "履职尽责",
        (
            ("落实共建职责", 30, "", "职能部门承担社区建设职责的落实情况。"),
            ("参加大党委会议", 15, "attendance", "按应参会次数计分。"),
            ("按期完成落实任务", 15, "tasks_on_time", "交办任务按期办结计分。"),
        ),
    ),
    (
        "服务群众",
        (
            ("下沉服务社区", 25, "", "部门力量下沉社区、解决群众诉求情况。"),
            ("在职党员到社区报到", 15, "in_service_members", "在职党员报到人数占比。"),
        ),
    ),
)
EXTRAS = (
    ("获上级表彰", "bonus", 2, 4, "获县级以上表彰的，每次加2分。"),
    ("违反共建协议", "deduction", 2, 4, "不履行共建协议约定的，每次扣2分。"),
)


def _scheme(demo: Demo, year: int) -> Scheme:
    """The published county scheme of ``year`` (built once), written on 1 March of the year (or a
    moment ago, early in the year)."""
    scheme = Scheme.objects.filter(county=demo.county, year=year, township__isnull=True, title=TITLE).first()
    if scheme is not None:
        return scheme
    at = min(moment(datetime.date(year, 3, 1)), timezone.now() - datetime.timedelta(hours=1))
    with demo_clock(at):
        return _build_scheme(demo, year)


def _build_scheme(demo: Demo, year: int) -> Scheme:
    admin = demo.admin
    scheme = services.scheme_create(actor=admin, county=demo.county, year=year, title=TITLE, weight=WEIGHT)
    for kind, groups in (("units", UNITS_SHEET), ("departments", DEPARTMENTS_SHEET)):
        sheet = scheme.sheets.get(kind=kind)
        for group_title, leaves in groups:
            group = services.indicator_create(actor=admin, sheet=sheet, title=group_title, kind="group")
            for title, points, source, guidance in leaves:
                services.indicator_create(
                    actor=admin,
                    sheet=sheet,
                    parent=group,
                    title=title,
                    max_points=D(points),
                    evidence_source=source,
                    guidance=guidance,
                    evidence_required="会议签到表、工作台账等" if not source else "",
                )
        for title, kind_, points, limit, guidance in EXTRAS:
            services.indicator_create(
                actor=admin,
                sheet=sheet,
                title=title,
                kind=kind_,
                max_points=D(points),
                limit=D(limit),
                guidance=guidance,
            )
    demo.count("考核方案")
    return services.scheme_publish(actor=admin, scheme=scheme)


def _scorer(demo: Demo) -> User:
    user = User.objects.filter(username=SCORER).first()
    if user is None:
        user = User.objects.create_user(
            username=SCORER,
            password=DEMO_PASSWORD,
            email=f"{SCORER}@dangwei.example.cn",
            role=User.Role.COUNTY,
            full_name="吴国栋",
            county=demo.county,
        )
        demo.count("账号")
    demo.users[SCORER] = user
    return user


# R21: the county's functional departments that carry community-building duties (name, duties).
DEPARTMENTS = (
    ("县民政局", "指导社区居（村）民委员会建设，推进社区治理和社区服务体系建设。"),
    ("县住建局", "推进老旧小区改造和物业服务管理，支持社区公共服务设施建设。"),
)


def _departments(demo: Demo) -> None:
    """The two demo departments of the county's list (looked up by name: idempotent)."""
    admin = demo.admin
    have = set(FunctionalDepartment.objects.filter(county=demo.county).values_list("name", flat=True))
    for order, (name, duties) in enumerate(DEPARTMENTS, start=1):
        if name not in have:
            departments.department_create(actor=admin, county=demo.county, name=name, duties=duties, order=order)
            demo.count("职能部门")


def _manual(indicator: Indicator, n: int, body: str) -> Decimal:
    """A plausible hand score: 82%–99% of the item's points, by unit and body (to 0.5)."""
    share = D(82 + (n * 7 + indicator.order * 3 + (2 if body == "county" else 0)) % 18) / 100
    return (indicator.max_points * share * 2).quantize(D("1")) / 2


def _scores(task: ScoringTask, n: int, body: str, today: datetime.date) -> dict:
    """{indicator id: (points, reason)}: the portal's suggestion where there is one (the county
    body marks a few down, with its reason), a hand score elsewhere, a bonus for some units."""
    items = scoring.scored_indicators(task)
    suggestions = evidence.suggestions_for(task=task, indicators=items, today=today)
    scores = {}
    for indicator in items:
        if indicator.kind == Indicator.Kind.BONUS:
            scores[indicator.pk] = (indicator.max_points if n % 4 == 1 else D("0"), "")
            continue
        if indicator.kind == Indicator.Kind.DEDUCTION:
            scores[indicator.pk] = (indicator.max_points if n % 7 == 5 and body == "county" else D("0"), "")
            continue
        suggestion = suggestions.get(indicator.pk)
        if suggestion is not None and suggestion.points is not None:
            points = quantise(suggestion.points)
            if body == "county" and n % 3 == 0 and points >= 1:
                scores[indicator.pk] = (points - 1, "现场核查台账，部分记录佐证不全，酌减1分。")
            else:
                scores[indicator.pk] = (points, "")
        else:
            scores[indicator.pk] = (_manual(indicator, n, body), "")
    return scores


def _committee_scorer(demo: Demo, task: ScoringTask) -> User:
    """The pilot's secretary scores her community's units; the township staff the others."""
    if task.unit.community_id == demo.communities[LINGYUAN.name].pk:
        return demo.users["secretary"]
    return demo.users["township"]


def _last_year(demo: Demo, zzb: User) -> None:
    """Last year's round, scored in December, finalised and released (the liaisons notified)."""
    year = timezone.localdate().year - 1
    if Round.objects.filter(county=demo.county, year=year).exists():
        return
    scheme = _scheme(demo, year)
    admin = demo.admin
    with demo_clock(moment(datetime.date(year, 11, 20), 9)):
        rnd = scoring.round_create(
            actor=admin,
            scheme=scheme,
            title="双百分联合评分",
            self_report_deadline=datetime.date(year, 12, 10),
            scoring_deadline=datetime.date(year, 12, 24),
            county_scorers=[zzb],
        )
    demo.count("考核评分轮次")
    tasks = list(rnd.tasks.select_related("unit__community").order_by("pk"))
    for n, task in enumerate(tasks):
        day = datetime.date(year, 12, 12 + n % 8)
        with demo_clock(moment(day, 10)):
            committee = _committee_scorer(demo, task)
            scoring.scoresheet_save(actor=committee, task=task, scores=_scores(task, n, "committee", day), submit=True)
        with demo_clock(moment(day, 15)):
            scoring.scoresheet_save(actor=zzb, task=task, scores=_scores(task, n, "county", day), submit=True)
        with demo_clock(moment(datetime.date(year, 12, 22), 10)):
            scoring.task_review(actor=demo.users["township"], task=task)
        with demo_clock(moment(datetime.date(year, 12, 24), 16)):
            scoring.task_finalise(actor=zzb, task=task)
    with demo_clock(moment(datetime.date(year, 12, 28), 10)):
        scoring.round_release(actor=admin, round=rnd)
    demo.count("考核评分任务", len(tasks))


def _this_year(demo: Demo, zzb: User) -> None:
    """This year's round, in progress (see the module docstring)."""
    today = timezone.localdate()
    if Round.objects.filter(county=demo.county, year=today.year).exists():
        return
    scheme = _scheme(demo, today.year)
    admin = demo.admin
    # A moment ago, so the outbox first delivers what fell due (last year's release notices).
    with demo_clock(timezone.now() - datetime.timedelta(minutes=30)):
        rnd = scoring.round_create(
            actor=admin,
            scheme=scheme,
            title="双百分联合评分",
            self_report_deadline=today + datetime.timedelta(days=21),
            scoring_deadline=today + datetime.timedelta(days=45),
            county_scorers=[zzb],
        )
    demo.count("考核评分轮次")
    by_unit = {t.unit_id: t for t in rnd.tasks.filter(unit__isnull=False).select_related("unit__community")}
    liaison = demo.users["liaison"]
    lingyuan = [u for u in demo.units[LINGYUAN.name] if u.unit_type != Unit.Type.COMMUNITY_ORG]
    task = by_unit.get(liaison.unit_id)
    if task is not None:
        scoring.task_self_report_save(
            actor=liaison,
            task=task,
            text=(
                "本年度我单位按时参加大党委季度会议，认领并兑现服务承诺，参与共建项目和党员奉献日活动，"
                "在职党员全部到社区报到，按出资比例缴纳共建经费。存在问题：部分活动台账不够完整，下一步将加强。"
            ),
        )
    # 陵园社区: 12 units scored by both bodies (5 finalised, 2 more reviewed), 2 by the committee only.
    for n, unit in enumerate(lingyuan):
        task = by_unit[unit.pk]
        if n >= 14:
            break
        scoring.scoresheet_save(
            actor=demo.users["secretary"], task=task, scores=_scores(task, n, "committee", today), submit=True
        )
        if n >= 12:
            continue
        scoring.scoresheet_save(actor=zzb, task=task, scores=_scores(task, n, "county", today), submit=True)
        if n < 7:
            scoring.task_review(actor=demo.users["township"], task=task)
        if n < 5:
            scoring.task_finalise(actor=zzb, task=task)
    # Another community's first units: the committee's drafts.
    for n, unit in enumerate(u for u in demo.units[DONGGUAN.name] if u.unit_type != Unit.Type.COMMUNITY_ORG):
        if n >= 3:
            break
        task = by_unit[unit.pk]
        scoring.scoresheet_save(actor=demo.users["township"], task=task, scores=_scores(task, n, "committee", today))
    demo.count("考核评分任务", rnd.tasks.count())


@transaction.atomic
def seed(demo: Demo | None = None) -> None:
    """The R21 assessment of the demo county (see the module docstring). Idempotent."""
    demo = demo or build_demo()
    zzb = _scorer(demo)
    _last_year(demo, zzb)
    _departments(demo)  # before this year's round, which gives them their tasks (R21)
    _this_year(demo, zzb)
