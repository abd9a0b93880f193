"""``manage.py seed_scale``: county-scale data for the benchmarks under ``bench/``.

Unlike ``seed_demo`` this writes with ``bulk_create`` (no services, no history rows): it exists to
make thousands of rows in seconds, in a county of its own (规模测试县) that the demo never sees.
"""

import datetime
import time

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import PasswordHistory, User, UserSession
from audit.models import AuditEvent
from committees.demo import DEMO_PASSWORD
from committees.models import (
    BuildingGroup,
    Committee,
    Community,
    County,
    Grid,
    Post,
    PostApproval,
    RotationTerm,
    Township,
    Unit,
    Vacancy,
)
from committees.scale_activity import Activity, activity_steps
from inbox.models import CalendarToken

SCALE_COUNTY = "规模测试县"
BATCH = 1000
TERM_START = datetime.date(2024, 1, 1)
TERM_END = datetime.date(2028, 12, 31)
# fmt: off
PLACES = (
    "城东", "城西", "河口", "柳林", "石桥", "杨庄", "新集", "白马", "龙泉", "青山", "双河", "高庄",
    "三里", "桃园", "黄楼", "官庄", "马集", "李集", "王营", "大同", "安乐", "永宁", "太平", "长乐",
    "清河", "红星", "金沙", "凤凰", "卧龙", "南湖",
)
# fmt: on
# fmt: off
NEIGHBOURHOODS = (
    "幸福", "和平", "建设", "光明", "团结", "友谊", "新华", "胜利", "朝阳", "文化", "振兴", "繁荣",
    "育才", "兴隆", "吉祥",
)
# fmt: on
UNIT_KINDS = (
    # (type, industry, party-org kind, name pattern)
    (Unit.Type.ENTERPRISE, Unit.Industry.MANUFACTURING, Unit.PartyOrgKind.BRANCH, "{p}精密制造有限公司{n}"),
    (Unit.Type.ENTERPRISE, Unit.Industry.TRADE, Unit.PartyOrgKind.BRANCH, "{p}商贸有限公司{n}"),
    (Unit.Type.ENTERPRISE, Unit.Industry.IT, Unit.PartyOrgKind.NONE, "{p}信息技术有限公司{n}"),
    (Unit.Type.ORGAN, Unit.Industry.PUBLIC, Unit.PartyOrgKind.COMMITTEE, "{p}行政服务站{n}"),
    (Unit.Type.INSTITUTION, Unit.Industry.EDUCATION, Unit.PartyOrgKind.GENERAL_BRANCH, "{p}实验学校{n}"),
    (Unit.Type.INSTITUTION, Unit.Industry.HEALTH, Unit.PartyOrgKind.BRANCH, "{p}卫生院{n}"),
    (Unit.Type.PROPERTY, Unit.Industry.REAL_ESTATE, Unit.PartyOrgKind.BRANCH, "{p}物业服务有限公司{n}"),
    (Unit.Type.OWNERS, Unit.Industry.RESIDENT_SERVICES, Unit.PartyOrgKind.NONE, "{p}小区业主委员会{n}"),
    (Unit.Type.SOCIAL, Unit.Industry.PUBLIC, Unit.PartyOrgKind.BRANCH, "{p}志愿服务协会{n}"),
    (Unit.Type.OTHER, Unit.Industry.OTHER, Unit.PartyOrgKind.BRANCH, "{p}个体工商户联合党支部{n}"),
)


def _spread(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` near-equal whole numbers."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


class Command(BaseCommand):
    help = "建立县级规模测试数据（规模测试县），供 bench/ 下的性能测试使用。"

    def add_arguments(self, parser):
        parser.add_argument("--townships", type=int, default=20, help="镇/街道数量（默认 20）")
        parser.add_argument("--committees", type=int, default=200, help="社区大党委数量（默认 200，每社区一个）")
        parser.add_argument("--units", type=int, default=10000, help="成员单位总数（默认 10000）")
        parser.add_argument("--reset", action="store_true", help="先删除已有的规模测试数据再重建")
        parser.add_argument(
            "--activity",
            action="store_true",
            help="再加上一年的活动：季度会议、表决、纪要、督办任务、承诺、经费、考核评分和通知",
        )
        parser.add_argument("--year", type=int, default=None, help="活动年度（默认今年）")

    def handle(self, *args, townships, committees, units, reset, activity=False, year=None, **options):
        if townships < 1 or committees < townships or units < 2 * committees:
            raise CommandError("参数不合理：需要 镇/街道 ≥ 1、大党委 ≥ 镇/街道数、成员单位 ≥ 大党委数 × 2。")
        started = time.perf_counter()
        with transaction.atomic():
            county = County.objects.filter(name=SCALE_COUNTY).first()
            if county is not None:
                if not reset:
                    raise CommandError(
                        f"“{SCALE_COUNTY}”的规模测试数据已存在，未做任何修改。如需重建，请加 --reset 参数。"
                    )
                self._delete(county)
                self.stdout.write(f"已删除原有的“{SCALE_COUNTY}”规模测试数据。")
            made = self._build(townships, committees, units)
            if activity:
                today = timezone.localdate()
                made |= Activity(
                    county=County.objects.get(name=SCALE_COUNTY),
                    actor=self.actor,
                    year=year or today.year,
                    today=today,
                    bulk=self._bulk,
                ).build(password=self.password)
        # Fresh statistics: after a bulk load PostgreSQL's planner still thinks the tables are
        # empty (until autovacuum comes round) and picks nested loops over 10,000 rows.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        seconds = time.perf_counter() - started
        summary = "，".join(f"{what} {n}" for what, n in made.items())
        self.stdout.write(self.style.SUCCESS(f"已建立“{SCALE_COUNTY}”：{summary}（用时 {seconds:.1f} 秒）。"))
        self.stdout.write(f"登录账号：scale_admin、scale_county、scale_t01 … 密码 {DEMO_PASSWORD}")

    # --- delete ---------------------------------------------------------------------------

    def _delete(self, county: County) -> None:
        """Raw deletes in dependency order: the ORM's collector would load (and, through
        simple_history's signals, record) every one of the ten thousand rows first."""
        communities = Community.objects.filter(township__county=county)
        committees = Committee.objects.filter(community__in=communities)
        scale_users = User.objects.filter(username__startswith="scale_")
        # Logins of the scale users leave audit events: their user becomes empty, as SET_NULL does.
        AuditEvent.objects.filter(user__in=scale_users).update(user=None)
        steps = [
            *activity_steps(county, committees, Unit.objects.filter(community__in=communities)),
            UserSession.objects.filter(user__in=scale_users),
            PasswordHistory.objects.filter(user__in=scale_users),
            CalendarToken.objects.filter(user__in=scale_users),
            PostApproval.objects.filter(post__committee__in=committees),
            Vacancy.objects.filter(committee__in=committees),
            RotationTerm.objects.filter(committee__in=committees),
            Post.objects.filter(committee__in=committees),
            User.objects.filter(username__startswith="scale_"),
            Unit.objects.filter(community__in=communities),
            committees,
            BuildingGroup.objects.filter(grid__community__in=communities),
            Grid.objects.filter(community__in=communities),
            communities,
            Township.objects.filter(county=county),
            County.objects.filter(pk=county.pk),
        ]
        try:
            with transaction.atomic():
                for qs in steps:
                    # A subquery on the table being deleted from is refused by some databases.
                    pks = list(qs.values_list("pk", flat=True))
                    history = getattr(qs.model, "history", None)
                    for i in range(0, len(pks), 900):
                        batch = qs.model.objects.filter(pk__in=pks[i : i + 900])
                        batch._raw_delete(batch.db)
                        if history is not None:  # bulk-created history rows go with their rows
                            old = history.model.objects.filter(**{f"{qs.model._meta.pk.attname}__in": pks[i : i + 900]})
                            old._raw_delete(old.db)
                # Foreign keys are checked at commit; check now, so a refusal is a clear message.
                connection.check_constraints()
        except IntegrityError as exc:
            raise CommandError(
                f"无法删除“{SCALE_COUNTY}”：其他记录（会议、共建等）仍引用这些数据。请先删除它们。（{exc}）"
            ) from exc

    # --- build ----------------------------------------------------------------------------

    def _bulk(self, model, objs) -> list:
        """bulk_create plus one creation record per row in the model's history, as the
        services would leave it (detail pages show the history)."""
        objs = model.objects.bulk_create(list(objs), batch_size=BATCH)
        model.history.bulk_history_create(
            objs, batch_size=BATCH, default_user=self.actor, default_change_reason="规模测试数据"
        )
        return objs

    def _build(self, n_townships: int, n_committees: int, n_units: int) -> dict[str, int]:
        county = County.objects.create(name=SCALE_COUNTY)
        townships = Township.objects.bulk_create(
            Township(county=county, name=f"{PLACES[i % len(PLACES)]}{'' if i < len(PLACES) else i}镇")
            for i in range(n_townships)
        )
        self.password = password = make_password(DEMO_PASSWORD)
        users = [
            User(username="scale_admin", full_name="规模测试管理员", role=User.Role.ADMIN),
            User(username="scale_county", full_name="规模测试县审核员", role=User.Role.COUNTY, county=county),
            *[
                User(username=f"scale_t{i + 1:02d}", full_name=f"{t.name}组织干部", role=User.Role.TOWNSHIP, township=t)
                for i, t in enumerate(townships)
            ],
        ]
        for user in users:
            user.password = password
        User.objects.bulk_create(users)
        self.actor = recorder = User.objects.get(username="scale_admin")
        communities = []
        for township, count in zip(townships, _spread(n_committees, n_townships), strict=True):
            for j in range(count):
                word = NEIGHBOURHOODS[j % len(NEIGHBOURHOODS)]
                name = f"{word}{'' if j < len(NEIGHBOURHOODS) else j}社区"
                communities.append(
                    Community(
                        township=township,
                        name=name,
                        party_org_name=f"中共{township.name}{name}委员会",
                        party_org_secretary=f"书记{len(communities) + 1:04d}",
                        is_pilot=j == 0,
                    )
                )
        communities = self._bulk(Community, communities)
        committees = self._bulk(
            Committee,
            [
                Committee(
                    community=c,
                    name=f"{c.name}大党委",
                    term_start=TERM_START,
                    term_end=TERM_END,
                    mode=Committee.Mode.ROTATING if i % 4 else Committee.Mode.ONE_PLUS_X,
                )
                for i, c in enumerate(communities)
            ],
        )
        grids = self._bulk(
            Grid,
            [
                Grid(community=c, name=f"第{g}网格", branch_name=f"{c.name}第{g}网格党支部", party_members=20 + g)
                for c in communities
                for g in (1, 2, 3)
            ],
        )
        self._bulk(
            BuildingGroup,
            [
                BuildingGroup(grid=grid, name=f"{b}号楼栋党小组", buildings=f"{b}号楼", party_members=6)
                for grid in grids
                for b in (1, 2)
            ],
        )
        grids_of = {}
        for grid in grids:
            grids_of.setdefault(grid.community_id, []).append(grid)

        unit_rows = []
        for c, count in zip(communities, _spread(n_units, len(communities)), strict=True):
            cg = grids_of[c.pk]
            unit_rows.append(
                Unit(
                    community=c,
                    name=f"{c.name}党委",
                    unit_type=Unit.Type.COMMUNITY_ORG,
                    industry=Unit.Industry.PUBLIC,
                    grid=cg[0],
                    party_org_name=c.party_org_name,
                    party_org_kind=Unit.PartyOrgKind.COMMITTEE,
                    party_org_secretary=c.party_org_secretary,
                    members_direct=35,
                    liaison_name="社区联络员",
                )
            )
            for k in range(1, count):
                unit_type, industry, kind, pattern = UNIT_KINDS[k % len(UNIT_KINDS)]
                seq = len(unit_rows) + 1
                unit_rows.append(
                    Unit(
                        community=c,
                        name=pattern.format(p=c.name[:2], n=k),
                        unit_type=unit_type,
                        industry=industry,
                        grid=cg[k % len(cg)],
                        address=f"{c.name}{k}号",
                        party_org_name="" if kind == Unit.PartyOrgKind.NONE else f"单位{seq}党组织",
                        party_org_kind=kind,
                        party_org_secretary="" if kind == Unit.PartyOrgKind.NONE else f"单位书记{seq:05d}",
                        members_direct=0 if kind == Unit.PartyOrgKind.NONE else 3 + k % 40,
                        members_in_service=k % 7,
                        members_floating=k % 3,
                        liaison_name=f"联络员{seq:05d}",
                        liaison_phone=f"139{seq:08d}",
                        contact_email=f"unit{seq}@scale.example.cn",
                    )
                )
        units = self._bulk(Unit, unit_rows)
        units_of = {}
        for unit in units:
            units_of.setdefault(unit.community_id, []).append(unit)

        posts, rotation = [], []
        in_force = datetime.date(2024, 1, 15)
        for committee in committees:
            cu = units_of[committee.community_id]
            resident = [u for u in cu[1:] if u.party_org_secretary]
            # R3: one post per person, so every seat goes to a different unit's person
            heads = resident[:2]
            seats = [
                (Post.Kind.SECRETARY, heads[0]),
                (Post.Kind.FULLTIME_DEPUTY, cu[0]),
                *[(Post.Kind.DEPUTY, u) for u in heads[1:]],
                *[(Post.Kind.MEMBER, u) for u in [u for u in cu[2:] if u not in heads][:5]],
            ]
            for kind, unit in seats:
                posts.append(
                    Post(
                        committee=committee,
                        kind=kind,
                        holder_name=unit.party_org_secretary or unit.liaison_name,
                        unit=unit,
                        is_unit_party_head=bool(unit.party_org_secretary),
                        is_part_time=kind != Post.Kind.FULLTIME_DEPUTY,
                        recommended_by=["community", "units"],
                        status=Post.Status.IN_FORCE,
                        nominated_on=datetime.date(2023, 12, 20),
                        in_force_from=in_force,
                    )
                )
            # The last member has left: the committee's one vacancy (R6).
            posts[-1].status, posts[-1].ended_on, posts[-1].end_reason = Post.Status.ENDED, in_force, "工作调动"
            if committee.mode == Committee.Mode.ROTATING:
                for y in range(TERM_START.year, TERM_END.year + 1):
                    unit = resident[(y - TERM_START.year) % len(resident)]
                    rotation.append(
                        RotationTerm(
                            committee=committee,
                            unit=unit,
                            holder_name=unit.party_org_secretary,
                            start=datetime.date(y, 1, 1),
                            end=datetime.date(y, 12, 31),
                            approved_on=datetime.date(2023, 12, 28),
                        )
                    )
        posts = self._bulk(Post, posts)

        for rt in rotation:
            rt.approved_by = recorder
        self._bulk(RotationTerm, rotation)
        approvals = self._bulk(
            PostApproval,
            (
                PostApproval(
                    post=p,
                    body=body,
                    decision=PostApproval.Decision.APPROVED,
                    decided_on=in_force,
                    recorded_by=recorder,
                )
                for p in posts
                for body in PostApproval.Body.values
            ),
        )
        vacancies = self._bulk(
            Vacancy,
            [
                Vacancy(committee=p.committee, kind=p.kind, opened_on=in_force, reason="工作调动", previous_post=p)
                for p in posts
                if p.status == Post.Status.ENDED
            ],
        )
        return {
            "镇/街道": len(townships),
            "社区": len(communities),
            "大党委": len(committees),
            "网格": len(grids),
            "成员单位": len(units),
            "职务": len(posts),
            "审批记录": len(approvals),
            "轮值任期": len(rotation),
            "空缺": len(vacancies),
            "账号": len(users),
        }
