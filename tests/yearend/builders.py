"""A committee's year of realistic data for the year-end report (R14), made directly with the
ORM (fast, and independent of services still being written elsewhere — the assessment scoring
services in particular). Used by the tests and by bench/yearend_*.py."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from assessment.models import Round, Scheme, ScoringTask, Sheet
from cobuilding.models import DedicationDay, DedicationParticipation, Fulfilment, Pledge, Project, ProjectClaim
from committees.models import Committee, Post, RotationTerm, Unit, Vacancy
from funding.models import Category, Expense, FiscalYear, Income, Payment, ShareLine, SharePlan, Source
from meetings.models import FollowUpTask, Meeting, Motion, Resolution

D = Decimal
GRADES = ((D("90"), "优秀"), (D("75"), "良好"), (D("60"), "合格"), (D("0"), "不合格"))


@dataclass
class Year:
    committee: Committee
    year: int
    units: list[Unit]
    meetings: list[Meeting] = field(default_factory=list)
    resolutions: list[Resolution] = field(default_factory=list)
    scores: list[ScoringTask] = field(default_factory=list)
    fiscal_year: FiscalYear | None = None
    income_total: Decimal = D("0")
    expense_total: Decimal = D("0")


def _aware(year, month, day, hour=9):
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


def _grade(score: Decimal) -> str:
    return next(g for floor, g in GRADES if score >= floor)


def build_year(
    committee: Committee,
    *,
    year: int,
    actor,
    units: int = 6,
    meetings: int = 4,
    ledger: int = 20,
    quarters: tuple[int, ...] | None = None,
    prefix: str = "",
) -> Year:
    """``units`` member units (besides those already there), ``meetings`` held meetings spread over
    ``quarters`` (all four by default) each with two resolutions (a passed motion and follow-up
    tasks: done, open, overdue), pledges with fulfilments, two dedication days, a project,
    finalised R21 scores for every unit, a fiscal year of ``ledger`` lines (incomes of sources
    2–5, unit payments under an active share plan, expenses) and vacancies."""
    community = committee.community
    for i in range(units):
        Unit.objects.create(
            community=community,
            name=f"{prefix}成员单位{i + 1:03d}",
            unit_type=Unit.Type.ENTERPRISE if i % 3 else Unit.Type.ORGAN,
            industry=Unit.Industry.UTILITIES,
            party_org_name=f"{prefix}成员单位{i + 1:03d}党支部",
            party_org_kind=Unit.PartyOrgKind.BRANCH,
            party_org_secretary=f"书记{i + 1}",
            members_direct=10 + i % 7,
        )
    all_units = list(Unit.objects.filter(community=community, is_active=True).order_by("name"))
    result = Year(committee=committee, year=year, units=all_units)
    first = all_units[0]

    # R3–R5 posts and R7 rotation
    kinds = [Post.Kind.SECRETARY, Post.Kind.FULLTIME_DEPUTY, Post.Kind.DEPUTY, Post.Kind.MEMBER, Post.Kind.MEMBER]
    for i, kind in enumerate(kinds):
        Post.objects.create(
            committee=committee,
            kind=kind,
            holder_name=f"{prefix}任职人{i + 1}",
            unit=all_units[i % len(all_units)],
            holder_title="党支部书记",
            status=Post.Status.IN_FORCE,
            in_force_from=datetime.date(year - 1, 1, 2),
            recommended_by=["community"],
        )
    RotationTerm.objects.create(
        committee=committee,
        unit=first,
        holder_name=f"{prefix}轮值书记甲",
        start=datetime.date(year, 1, 1),
        end=datetime.date(year, 12, 31),
        approved_on=datetime.date(year - 1, 12, 1),
    )
    Vacancy.objects.create(
        committee=committee, kind=Post.Kind.MEMBER, opened_on=datetime.date(year, 5, 6), reason="原委员工作调动"
    )

    # R8 meetings, R12 resolutions, R13 follow-up
    quarters = quarters or (1, 2, 3, 4)
    for n in range(meetings):
        q = quarters[n % len(quarters)]
        month = 3 * q - 2 + (n // len(quarters)) % 3
        meeting = Meeting.objects.create(
            committee=committee,
            title=f"{prefix}第{n + 1}次大党委工作会议",
            starts_at=_aware(year, month, 10 + n % 15),
            place="社区党群服务中心",
            status=Meeting.Status.HELD,
            held_on=datetime.date(year, month, 10 + n % 15),
        )
        result.meetings.append(meeting)
        for k in range(2):
            motion = Motion.objects.create(
                meeting=meeting,
                title=f"表决事项{n + 1}-{k + 1}",
                status=Motion.Status.CLOSED,
                entitled_count=9,
                present_count=8,
                votes_for=7,
                votes_against=1,
                votes_abstain=0,
                passed=True,
            )
            unit = all_units[(n * 2 + k) % len(all_units)]
            resolution = Resolution.objects.create(
                meeting=meeting,
                motion=motion,
                text=f"{prefix}决议{n + 1}-{k + 1}：推进第{n + 1}项为民服务事项",
                responsible_unit=unit,
                deadline=datetime.date(year, min(month + 2, 12), 28),
            )
            result.resolutions.append(resolution)
            state = (n * 2 + k) % 3  # 0 done, 1 open (due next year), 2 overdue
            FollowUpTask.objects.create(
                resolution=resolution,
                committee=committee,
                title=f"落实{resolution.text[:20]}",
                responsible_unit=unit,
                owner_name="责任人",
                due_on=datetime.date(year, min(month + 2, 12), 28) if state != 1 else datetime.date(year + 5, 1, 31),
                status=FollowUpTask.Status.DONE if state == 0 else FollowUpTask.Status.OPEN,
                progress=100 if state == 0 else 40,
                closed_on=datetime.date(year, min(month + 2, 12), 20) if state == 0 else None,
            )

    # R17 pledges and fulfilments, a project; R18 dedication days
    for i, unit in enumerate(all_units):
        pledge = Pledge.objects.create(
            committee=committee,
            unit=unit,
            year=year,
            kind="funds" if i % 2 else "talent",
            title=f"{unit.name}共建承诺",
            description="支持社区为民服务项目",
            value=D("2000.00") + i * 100,
            period_start=datetime.date(year, 1, 1),
            period_end=datetime.date(year, 12, 31),
            contact_name="联系人",
            contact_phone="0370-1234567",
            status=Pledge.Status.ACCEPTED,
            created_by=actor,
        )
        if i % 2 == 0:
            Fulfilment.objects.create(
                pledge=pledge,
                delivered_on=datetime.date(year, 6, 1),
                text="已按承诺兑现",
                amount=D("1000.00"),
                status=Fulfilment.Status.CONFIRMED,
                reported_by=actor,
                reviewed_by=actor,
                reviewed_at=_aware(year, 6, 2),
            )
    project = Project.objects.create(
        committee=committee,
        title=f"{prefix}老旧小区楼道照明改造",
        need="更换楼道灯",
        place="社区",
        budget=D("8000.00"),
        claim_by=datetime.date(year, 4, 30),
        deadline=datetime.date(year, 9, 30),
        places=2,
        created_by=actor,
    )
    ProjectClaim.objects.create(
        project=project,
        unit=first,
        place_no=1,
        status=ProjectClaim.Status.COMPLETED,
        claimed_by=actor,
        completed_on=datetime.date(year, 9, 1),
        confirmed_by=actor,
    )
    for seq, month in ((1, 3), (2, 9)):
        day = DedicationDay.objects.create(
            committee=committee,
            year=year,
            sequence=seq,
            held_on=datetime.date(year, month, 5),
            theme=f"党员奉献日{seq}",
        )
        for unit in all_units[: max(1, len(all_units) // 2)]:
            DedicationParticipation.objects.create(day=day, unit=unit, count=5, names="张三\n李四", recorded_by=actor)

    # R21 finalised scores, made directly (the scoring services are written elsewhere)
    county = community.township.county
    scheme = Scheme.objects.filter(county=county, year=year).first() or Scheme.objects.create(
        county=county, year=year, title="双百分考核"
    )
    sheet = Sheet.objects.get_or_create(scheme=scheme, kind=Sheet.Kind.UNITS)[0]
    round_ = Round.objects.filter(county=county, year=year).first() or Round.objects.create(
        scheme=scheme,
        county=county,
        year=year,
        title="年度考核",
        self_report_deadline=datetime.date(year, 11, 30),
        released_at=timezone.now(),  # the report shows released results only
    )
    for i, unit in enumerate(all_units):
        score = D("95.50") - i * D("4.25") % D("50")
        result.scores.append(
            ScoringTask.objects.create(
                round=round_,
                unit=unit,
                sheet=sheet,
                status=ScoringTask.Status.FINALISED,
                final_score=score,
                grade=_grade(score),
                converted=(score * D("0.2")).quantize(D("0.01")),
                finalised_at=_aware(year, 12, 20),
            )
        )

    # R23 funding: ``ledger`` lines split into incomes, payments and expenses
    fy = FiscalYear.objects.create(committee=committee, year=year, opening_balance=D("1200.00"))
    result.fiscal_year = fy
    plan = SharePlan.objects.create(
        fiscal_year=fy,
        total=D("3000.00") * len(all_units),
        due_on=datetime.date(year, 3, 31),
        status=SharePlan.Status.ACTIVE,
        activated_at=_aware(year, 1, 15),
        resolution=result.resolutions[0] if result.resolutions else None,
        # R23.1 (issue #11 item 12): a plan in force names its own motion (here the first resolution's)
        motion=result.resolutions[0].motion if result.resolutions else None,
        decision_unverified=not (result.resolutions and result.resolutions[0].motion_id),
    )
    for unit in all_units:
        ShareLine.objects.create(
            plan=plan,
            unit=unit,
            kind=ShareLine.Kind.FIXED,
            fixed_amount=D("3000.00"),
            exact=D("3000"),
            amount=D("3000.00"),
        )
    sources = [Source.APPROPRIATION, Source.DELEGATED, Source.SERVICES, Source.DONATIONS]
    for n in range(ledger):
        day = datetime.date(year, 1 + n % 12, 1 + n % 27)
        kind = n % 3
        if kind == 0:
            amount = D("5000.00") + n
            Income.objects.create(
                fiscal_year=fy,
                source=sources[n % 4],
                received_on=day,
                amount=amount,
                payer="县财政局",
                delegating_department="县民政局",
                delegated_task="社区养老服务",
                donor="爱心企业",
            )
            result.income_total += amount
        elif kind == 1:
            amount = D("500.00")
            Payment.objects.create(
                fiscal_year=fy,
                unit=all_units[n % len(all_units)],
                paid_on=day,
                amount=amount,
                receipt_no=f"{year}-{n:04d}",
                recorded_by=actor,
            )
            result.income_total += amount
        else:
            amount = D("800.00") + n
            Expense.objects.create(
                fiscal_year=fy, category=list(Category)[n % 7], spent_on=day, amount=amount, payee="供应商"
            )
            result.expense_total += amount
    return result
