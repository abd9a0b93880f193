"""Demo data: the township 城关镇 of 示范县 with three communities and their committees.

Builders here are reusable: ``build_demo()`` makes everything; later issues extend the demo
(meetings, pledges, funding) by adding their own ``ensure_*`` steps that take the returned
:class:`Demo`. Every write goes through ``committees.services`` with the admin user as actor,
except the organisation rows (county, township, community) and the demo accounts, which have
no service of their own.

Idempotent by natural keys: a county/township/community/grid/unit/user is looked up by its
name first; a committee's posts, vacancy and rotation plan are built only when the committee
has none yet. Running it twice changes nothing.
"""

import contextlib
import datetime
import random
from dataclasses import dataclass, field
from unittest import mock

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from common.audit import set_actor

from . import services
from .models import BuildingGroup, Committee, Community, County, Grid, Post, PostApproval, RotationTerm, Township, Unit

DEMO_PASSWORD = "Demo!2026"  # noqa: S105 — printed to the developer on purpose
COUNTY = "示范县"
TOWNSHIP = "城关镇"
TERM_START = datetime.date(2024, 1, 1)
TERM_END = datetime.date(2028, 12, 31)
NOMINATED_ON = datetime.date(2023, 12, 20)
ORG_DEPT_ON = datetime.date(2024, 1, 10)
CIVIL_AFFAIRS_ON = datetime.date(2024, 1, 15)
ROTATION_APPROVED_ON = datetime.date(2023, 12, 28)

T = Unit.Type
I = Unit.Industry  # noqa: E741
K = Unit.PartyOrgKind


@dataclass(frozen=True)
class UnitSpec:
    name: str
    unit_type: str
    industry: str
    party_org_kind: str
    members_direct: int
    members_in_service: int = 0
    head_title: str = ""  # the party-org head's title in the unit (used for posts)


@dataclass(frozen=True)
class CommunitySpec:
    name: str
    party_org_name: str
    party_org_secretary: str
    deputy_secretary: str  # the community party org's deputy (P3 full-time deputy)
    streets: tuple[str, ...]
    mode: str
    is_pilot: bool
    units: tuple[UnitSpec, ...]
    rotation: tuple[int, ...] = ()  # indexes into units: the rotating secretaries (P1), in order
    deputies: tuple[int, ...] = ()  # deputy secretaries besides the full-time one
    members: tuple[int, ...] = ()  # part-time members (委员)
    vacancy_days_ago: int = 30  # the member post that ends opens the committee's vacancy
    vacancy_reason: str = "工作调动，不再担任委员"


LINGYUAN = CommunitySpec(
    name="陵园社区",
    party_org_name="中共示范县城关镇陵园社区委员会",
    party_org_secretary="李秀兰",
    deputy_secretary="孙晓东",
    streets=("陵园路", "烈士陵园街", "人民路"),
    mode=Committee.Mode.ROTATING,
    is_pilot=True,
    units=(
        UnitSpec("陵园社区党委", T.COMMUNITY_ORG, I.PUBLIC, K.COMMITTEE, 42, 0, "社区党委书记"),
        UnitSpec("示范县人民医院", T.INSTITUTION, I.HEALTH, K.COMMITTEE, 126, 18, "党委书记、院长"),
        UnitSpec("国网示范县供电公司", T.ENTERPRISE, I.UTILITIES, K.COMMITTEE, 64, 9, "党委书记、经理"),
        UnitSpec("示范县第一中学", T.INSTITUTION, I.EDUCATION, K.GENERAL_BRANCH, 58, 6, "党总支书记、校长"),
        UnitSpec("示范县人民法院", T.ORGAN, I.PUBLIC, K.COMMITTEE, 45, 3, "机关党委书记"),
        UnitSpec("示范县农村商业银行城关支行", T.ENTERPRISE, I.FINANCE, K.BRANCH, 15, 2, "党支部书记、行长"),
        UnitSpec("示范县自然资源局", T.ORGAN, I.PUBLIC, K.BRANCH, 21, 1, "机关党支部书记"),
        UnitSpec("中国移动示范县分公司", T.ENTERPRISE, I.IT, K.BRANCH, 12, 2, "党支部书记、总经理"),
        UnitSpec("示范县华联购物中心有限公司", T.ENTERPRISE, I.TRADE, K.BRANCH, 9, 4, "党支部书记、副总经理"),
        UnitSpec("示范县烈士陵园管理所", T.INSTITUTION, I.PUBLIC, K.BRANCH, 7, 0, "党支部书记、所长"),
        UnitSpec("金盾物业服务有限公司陵园项目部", T.PROPERTY, I.REAL_ESTATE, K.BRANCH, 5, 3, "党支部书记、项目经理"),
        UnitSpec("康居苑物业管理有限公司", T.PROPERTY, I.REAL_ESTATE, K.NONE, 0, 2, "项目经理"),
        UnitSpec("陵园小区业主委员会", T.OWNERS, I.RESIDENT_SERVICES, K.NONE, 0, 3, "业委会主任"),
        UnitSpec("幸福里小区业主委员会", T.OWNERS, I.RESIDENT_SERVICES, K.BRANCH, 5, 2, "业委会党支部书记"),
        UnitSpec("示范县红石榴志愿服务协会", T.SOCIAL, I.PUBLIC, K.BRANCH, 6, 4, "党支部书记、会长"),
        UnitSpec("陵园路个体工商户联合党支部", T.OTHER, I.TRADE, K.BRANCH, 11, 0, "联合党支部书记"),
    ),
    rotation=(1, 2, 3, 4, 5),
    deputies=(6, 7),
    members=(9, 10, 13, 14, 15, 8),
    vacancy_days_ago=23,
)

DONGGUAN = CommunitySpec(
    name="东关社区",
    party_org_name="中共示范县城关镇东关社区总支部委员会",
    party_org_secretary="王建国",
    deputy_secretary="刘海燕",
    streets=("东关大街", "东环路", "迎宾路"),
    mode=Committee.Mode.ONE_PLUS_X,
    is_pilot=False,
    units=(
        UnitSpec("东关社区党总支", T.COMMUNITY_ORG, I.PUBLIC, K.GENERAL_BRANCH, 31, 0, "社区党总支书记"),
        UnitSpec("示范县公安局东关派出所", T.ORGAN, I.PUBLIC, K.BRANCH, 18, 0, "党支部书记、所长"),
        UnitSpec("示范县市场监督管理局", T.ORGAN, I.PUBLIC, K.COMMITTEE, 52, 2, "机关党委书记"),
        UnitSpec("示范县中医院", T.INSTITUTION, I.HEALTH, K.COMMITTEE, 88, 11, "党委书记、院长"),
        UnitSpec("示范县第二实验小学", T.INSTITUTION, I.EDUCATION, K.BRANCH, 27, 3, "党支部书记、校长"),
        UnitSpec("示范县广播电视台", T.INSTITUTION, I.CULTURE, K.BRANCH, 19, 1, "党支部书记、台长"),
        UnitSpec("中国邮政集团示范县分公司", T.ENTERPRISE, I.TRANSPORT, K.BRANCH, 14, 2, "党支部书记、总经理"),
        UnitSpec("示范县燃气有限公司", T.ENTERPRISE, I.UTILITIES, K.GENERAL_BRANCH, 23, 4, "党总支书记、董事长"),
        UnitSpec("东关农贸市场管理有限公司", T.ENTERPRISE, I.TRADE, K.BRANCH, 6, 5, "党支部书记、经理"),
        UnitSpec("示范县建工集团有限公司", T.ENTERPRISE, I.CONSTRUCTION, K.COMMITTEE, 47, 12, "党委书记、董事长"),
        UnitSpec("东方家园物业服务有限公司", T.PROPERTY, I.REAL_ESTATE, K.BRANCH, 4, 2, "党支部书记、经理"),
        UnitSpec("东关花园业主委员会", T.OWNERS, I.RESIDENT_SERVICES, K.NONE, 0, 4, "业委会主任"),
        UnitSpec("锦绣东城业主委员会", T.OWNERS, I.RESIDENT_SERVICES, K.NONE, 0, 2, "业委会主任"),
        UnitSpec("示范县老年人协会东关分会", T.SOCIAL, I.PUBLIC, K.BRANCH, 9, 0, "党支部书记、会长"),
        UnitSpec("东关社区居家养老服务中心", T.SOCIAL, I.HEALTH, K.NONE, 0, 2, "主任"),
        UnitSpec("东关快递物流园联合党支部", T.OTHER, I.TRANSPORT, K.BRANCH, 8, 6, "联合党支部书记"),
    ),
    deputies=(3,),
    members=(1, 2, 4, 9, 10, 11, 13),
    vacancy_days_ago=41,
    vacancy_reason="所在单位人事调整，委员辞去职务",
)

XIJIE = CommunitySpec(
    name="西街社区",
    party_org_name="中共示范县城关镇西街社区委员会",
    party_org_secretary="张丽华",
    deputy_secretary="陈志强",
    streets=("西大街", "文昌路", "建设路"),
    mode=Committee.Mode.ROTATING,
    is_pilot=False,
    units=(
        UnitSpec("西街社区党委", T.COMMUNITY_ORG, I.PUBLIC, K.COMMITTEE, 36, 0, "社区党委书记"),
        UnitSpec("示范县教育局", T.ORGAN, I.PUBLIC, K.COMMITTEE, 61, 2, "机关党委书记"),
        UnitSpec("示范县人力资源和社会保障局", T.ORGAN, I.PUBLIC, K.BRANCH, 33, 1, "机关党支部书记"),
        UnitSpec("示范县职业中等专业学校", T.INSTITUTION, I.EDUCATION, K.GENERAL_BRANCH, 49, 3, "党总支书记、校长"),
        UnitSpec("示范县疾病预防控制中心", T.INSTITUTION, I.HEALTH, K.BRANCH, 22, 2, "党支部书记、主任"),
        UnitSpec("示范县图书馆", T.INSTITUTION, I.CULTURE, K.BRANCH, 8, 0, "党支部书记、馆长"),
        UnitSpec("中国工商银行示范县支行", T.ENTERPRISE, I.FINANCE, K.GENERAL_BRANCH, 26, 3, "党总支书记、行长"),
        UnitSpec("示范县宏达纺织有限公司", T.ENTERPRISE, I.MANUFACTURING, K.COMMITTEE, 39, 15, "党委书记、总经理"),
        UnitSpec("示范县西街大酒店有限公司", T.ENTERPRISE, I.HOSPITALITY, K.BRANCH, 7, 5, "党支部书记、总经理"),
        UnitSpec("示范县恒信汽车运输有限公司", T.ENTERPRISE, I.TRANSPORT, K.BRANCH, 10, 4, "党支部书记、经理"),
        UnitSpec("中国电信示范县分公司", T.ENTERPRISE, I.IT, K.BRANCH, 13, 1, "党支部书记、总经理"),
        UnitSpec("绿城物业服务有限公司西街项目部", T.PROPERTY, I.REAL_ESTATE, K.BRANCH, 3, 2, "党支部书记、项目经理"),
        UnitSpec("西街一号院业主委员会", T.OWNERS, I.RESIDENT_SERVICES, K.NONE, 0, 3, "业委会主任"),
        UnitSpec("文昌苑业主委员会", T.OWNERS, I.RESIDENT_SERVICES, K.BRANCH, 4, 1, "业委会党支部书记"),
        UnitSpec("示范县青年创业促进会", T.SOCIAL, I.BUSINESS, K.BRANCH, 5, 6, "党支部书记、会长"),
        UnitSpec("西街商圈联合党支部", T.OTHER, I.TRADE, K.BRANCH, 12, 0, "联合党支部书记"),
    ),
    rotation=(7, 1, 3, 6, 4),
    deputies=(2,),
    members=(5, 8, 11, 12, 14, 15),
    vacancy_days_ago=67,
    vacancy_reason="本人退休，辞去委员职务",
)

COMMUNITIES = (LINGYUAN, DONGGUAN, XIJIE)

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶余"
    "潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
# fmt: off
GIVEN = (
    "建国", "秀英", "志强", "海燕", "伟", "静", "敏", "军", "磊", "洋", "艳", "勇",
    "杰", "娟", "涛", "明", "超", "霞", "平", "刚", "桂英", "文博", "红梅", "春生",
    "玉兰", "国庆", "卫东", "德华", "淑芬", "永刚", "俊杰", "思远", "雅琴", "立新", "振华", "桂兰",
    "宏伟", "建华", "丽娟", "晓峰", "亚楠", "子涵", "长青", "凤英", "学军", "玉梅", "继红", "铁军",
)
# fmt: on


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    full_name: str
    scope: str
    county_body: str = ""  # R5: the county body a county user records decisions for


DEMO_LOGINS = (
    DemoLogin("township", User.Role.TOWNSHIP, "赵敏", f"{TOWNSHIP}（管理全镇各社区大党委）"),
    DemoLogin("secretary", User.Role.SECRETARY, LINGYUAN.party_org_secretary, f"{LINGYUAN.name}（试点社区）"),
    DemoLogin("liaison", User.Role.LIAISON, "", f"{LINGYUAN.name} · {LINGYUAN.units[2].name}"),
    DemoLogin("county", User.Role.COUNTY, "周明", f"{COUNTY}（只读、打印）"),
    DemoLogin(
        "zuzhibu", User.Role.COUNTY, "吴志刚", f"{COUNTY}（代表县委组织部登记审核结果）", User.CountyBody.ORG_DEPT
    ),
    DemoLogin(
        "minzhengju", User.Role.COUNTY, "郑晓红", f"{COUNTY}（代表县民政局登记批准结果）", User.CountyBody.CIVIL_AFFAIRS
    ),
    DemoLogin("admin", User.Role.ADMIN, "系统管理员", "全部（超级用户）"),
)
BODY_LOGINS = {login.county_body: login.username for login in DEMO_LOGINS if login.county_body}


@dataclass
class Demo:
    """What ``build_demo`` made or found; later builders take it as their starting point."""

    admin: User
    county: County
    township: Township
    communities: dict[str, Community] = field(default_factory=dict)
    committees: dict[str, Committee] = field(default_factory=dict)
    units: dict[str, list[Unit]] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, n: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + n


def _person(rng: random.Random, used: set[str]) -> str:
    while True:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        if name not in used:
            used.add(name)
            return name


def _mobile(rng: random.Random) -> str:
    return rng.choice(("135", "138", "139", "150", "158", "186", "187")) + f"{rng.randrange(10**8):08d}"


# --- organisation ---------------------------------------------------------------------------


def ensure_admin() -> User:
    user = User.objects.filter(username="admin").first()
    if user is None:
        user = User.objects.create_superuser(
            username="admin",
            email="admin@dangwei.example.cn",
            password=DEMO_PASSWORD,
            role=User.Role.ADMIN,
            full_name="系统管理员",
        )
    return user


def ensure_org(demo: Demo, spec: CommunitySpec) -> Community:
    community = Community.objects.filter(township=demo.township, name=spec.name).first()
    if community is None:
        community = Community(
            township=demo.township,
            name=spec.name,
            party_org_name=spec.party_org_name,
            party_org_secretary=spec.party_org_secretary,
            is_pilot=spec.is_pilot,
        )
        community.full_clean()
        set_actor(community, demo.admin, "演示数据")
        community.save()
        demo.count("社区")
    demo.communities[spec.name] = community
    return community


def ensure_grids(demo: Demo, community: Community, spec: CommunitySpec) -> list[Grid]:
    """R26: three grids with their grid party branches, two building party groups in each."""
    rng = random.Random(f"grids:{spec.name}")
    used: set[str] = set()
    grids = []
    for n, (ordinal, street) in enumerate(zip(("第一", "第二", "第三"), spec.streets, strict=True), start=1):
        name = f"{ordinal}网格"
        grid = Grid.objects.filter(community=community, name=name).first()
        if grid is None:
            grid = services.grid_save(
                actor=demo.admin,
                community=community,
                name=name,
                area=f"{street}沿线（{street}1号至{street}{60 + n * 20}号）",
                branch_name=f"{spec.name}{ordinal}网格党支部",
                party_members=rng.randint(18, 46),
            )
            demo.count("网格")
        grids.append(grid)
        for g in (1, 2):
            group_name = f"{(n - 1) * 2 + g}号楼栋党小组"
            if not BuildingGroup.objects.filter(grid=grid, name=group_name).exists():
                first = (n - 1) * 6 + (g - 1) * 3 + 1
                services.building_group_save(
                    actor=demo.admin,
                    grid=grid,
                    name=group_name,
                    buildings=f"{first}号楼、{first + 1}号楼、{first + 2}号楼",
                    leader=_person(rng, used),
                    party_members=rng.randint(5, 14),
                )
                demo.count("楼栋党小组")
    return grids


def _party_org_name(spec: CommunitySpec, u: UnitSpec) -> str:
    if u.unit_type == T.COMMUNITY_ORG:
        return spec.party_org_name
    if u.party_org_kind == K.NONE:
        return ""
    return u.name if u.name.endswith("党支部") else f"中共{u.name}{K(u.party_org_kind).label}"


def ensure_units(demo: Demo, community: Community, spec: CommunitySpec, grids: list[Grid]) -> list[Unit]:
    """R2: every ledger field filled in, as the survey stage (R25.2) leaves it."""
    rng = random.Random(f"units:{spec.name}")
    used = {spec.party_org_secretary, spec.deputy_secretary}
    existing = {u.name: u for u in Unit.objects.filter(community=community)}
    units = []
    for i, u in enumerate(spec.units):
        secretary = spec.party_org_secretary if u.unit_type == T.COMMUNITY_ORG else _person(rng, used)
        liaison = _person(rng, used)
        street = spec.streets[i % len(spec.streets)]
        fields = {
            "name": u.name,
            "unit_type": u.unit_type,
            "industry": u.industry,
            "grid": grids[i % len(grids)],
            "address": f"{COUNTY}{TOWNSHIP}{street}{rng.randint(1, 180)}号",
            "party_org_name": _party_org_name(spec, u),
            "party_org_kind": u.party_org_kind,
            "party_org_secretary": secretary if u.party_org_kind != K.NONE else "",
            "members_direct": u.members_direct,
            "members_in_service": u.members_in_service,
            "members_floating": rng.randint(0, 3) if u.members_direct else 0,
            "liaison_name": liaison,
            "liaison_phone": _mobile(rng),
            "contact_phone": f"0396-{rng.randint(2100000, 2999999)}",
            "contact_email": f"lianluo{COMMUNITIES.index(spec) + 1}{i + 1:02d}@dangwei.example.cn",
        }
        unit = existing.get(u.name)
        if unit is None:
            unit = services.unit_create(actor=demo.admin, community=community, **fields)
            demo.count("成员单位")
        units.append(unit)
    demo.units[spec.name] = units
    return units


def ensure_committee(demo: Demo, community: Community, spec: CommunitySpec) -> Committee:
    committee = Committee.objects.filter(community=community, is_active=True).first()
    if committee is None:
        committee = services.committee_create(
            actor=demo.admin,
            community=community,
            name=f"{spec.name}大党委",
            term_start=TERM_START,
            term_end=TERM_END,
            mode=spec.mode,
        )
        demo.count("大党委")
    demo.committees[spec.name] = committee
    return committee


# --- posts (R3–R6) and the rotation (R7) ---------------------------------------------------


def _recommenders(unit: Unit, kind: str) -> list[str]:
    R = Post.Recommender
    if kind in (Post.Kind.SECRETARY, Post.Kind.FULLTIME_DEPUTY):
        return [R.TOWNSHIP, R.COMMUNITY, R.UNITS]
    if unit.unit_type == T.PROPERTY:
        return [R.COMMUNITY, R.PROPERTY]
    if unit.unit_type == T.OWNERS:
        return [R.COMMUNITY, R.OWNERS]
    return [R.COMMUNITY, R.UNITS]


def appoint(
    demo: Demo,
    committee: Committee,
    *,
    kind: str,
    unit: Unit,
    holder_name: str,
    holder_title: str,
    is_unit_party_head: bool,
    is_part_time: bool = True,
    nominated_on: datetime.date = NOMINATED_ON,
    org_dept_on: datetime.date = ORG_DEPT_ON,
    civil_affairs_on: datetime.date | None = CIVIL_AFFAIRS_ON,
    phone: str = "",
) -> Post:
    """R5: nominate by consultation, then record the county bodies' approvals (both put the
    post in force; ``civil_affairs_on=None`` leaves the nomination waiting for the bureau)."""
    post = services.post_nominate(
        actor=demo.admin,
        committee=committee,
        kind=kind,
        holder_name=holder_name,
        unit=unit,
        holder_title=holder_title,
        is_unit_party_head=is_unit_party_head,
        is_part_time=is_part_time,
        recommended_by=_recommenders(unit, kind),
        nominated_on=nominated_on,
        phone=phone,
    )
    body = PostApproval.Body
    services.post_approval_record(
        actor=demo.users[BODY_LOGINS[body.ORG_DEPT]],  # R5: each body records its own decision
        post=post,
        body=body.ORG_DEPT,
        decision=PostApproval.Decision.APPROVED,
        decided_on=org_dept_on,
        remark="经部务会研究，同意",
    )
    if civil_affairs_on is not None:
        services.post_approval_record(
            actor=demo.users[BODY_LOGINS[body.CIVIL_AFFAIRS]],
            post=post,
            body=body.CIVIL_AFFAIRS,
            decision=PostApproval.Decision.APPROVED,
            decided_on=civil_affairs_on,
            remark="审核通过",
        )
    demo.count("职务")
    post.refresh_from_db()
    return post


def _rotation_index(today: datetime.date, count: int) -> int:
    """The rotation slot (one year each from TERM_START) that covers ``today``."""
    return min(max(today.year - TERM_START.year, 0), count - 1)


def ensure_posts(demo: Demo, committee: Committee, spec: CommunitySpec, units: list[Unit]) -> None:
    """R3/R4: secretary, full-time deputy, deputies and members, all approved by both county
    bodies; then one member leaves, which opens the committee's vacancy (R6)."""
    if committee.posts.exists():
        return
    today = timezone.localdate()
    community_org = units[0]
    by_index = dict(enumerate(spec.units))
    seats = iter(range(1, 1000))

    def phone() -> str:
        """Issue #15 item 7: most holders' own (fake) mobile, 139 0000 cnnn (c: the community),
        where their SMS meeting notices go; every fifth has none (the unit's ledger phone then)."""
        n = next(seats)
        return "" if n % 5 == 0 else f"1390000{COMMUNITIES.index(spec) + 1}{n:03d}"

    if spec.mode == Committee.Mode.ROTATING:
        # R4 (P1): the secretary is a resident unit's party-org head, one year each (R7): the
        # handover history from the start of the term up to this year's holder.
        current = _rotation_index(today, len(spec.rotation))
        for year_index in range(current + 1):
            i = spec.rotation[year_index]
            year = TERM_START.year + year_index
            appoint(
                demo,
                committee,
                kind=Post.Kind.SECRETARY,
                unit=units[i],
                holder_name=units[i].party_org_secretary,
                holder_title=by_index[i].head_title,
                is_unit_party_head=True,
                phone=phone(),
                nominated_on=NOMINATED_ON if not year_index else datetime.date(year - 1, 12, 10),
                org_dept_on=ORG_DEPT_ON if not year_index else datetime.date(year - 1, 12, 24),
                civil_affairs_on=CIVIL_AFFAIRS_ON if not year_index else datetime.date(year - 1, 12, 30),
            )
        # R4: the sitting community party-org secretary is the full-time deputy.
        appoint(
            demo,
            committee,
            kind=Post.Kind.FULLTIME_DEPUTY,
            unit=community_org,
            holder_name=spec.party_org_secretary,
            holder_title=by_index[0].head_title,
            is_unit_party_head=True,
            phone=phone(),
            is_part_time=False,
        )
    else:
        # R4 variant (P3 "1+X"): the community party secretary chairs; the community org's
        # deputy secretary is the full-time deputy; unit heads are part-time members.
        appoint(
            demo,
            committee,
            kind=Post.Kind.SECRETARY,
            unit=community_org,
            holder_name=spec.party_org_secretary,
            holder_title=by_index[0].head_title,
            is_unit_party_head=True,
            phone=phone(),
            is_part_time=False,
        )
        appoint(
            demo,
            committee,
            kind=Post.Kind.FULLTIME_DEPUTY,
            unit=community_org,
            holder_name=spec.deputy_secretary,
            holder_title="社区党组织副书记",
            is_unit_party_head=False,
            phone=phone(),
            is_part_time=False,
        )
    for i in spec.deputies:
        appoint(
            demo,
            committee,
            kind=Post.Kind.DEPUTY,
            unit=units[i],
            holder_name=units[i].party_org_secretary or units[i].liaison_name,
            holder_title=by_index[i].head_title,
            is_unit_party_head=bool(units[i].party_org_secretary),
            phone=phone(),
        )
    members = []
    for i in spec.members:
        members.append(
            appoint(
                demo,
                committee,
                kind=Post.Kind.MEMBER,
                unit=units[i],
                holder_name=units[i].party_org_secretary or units[i].liaison_name,
                holder_title=by_index[i].head_title,
                is_unit_party_head=bool(units[i].party_org_secretary),
                phone=phone(),
            )
        )
    # R6: the last member leaves; the seat stays a vacancy until a nomination is approved.
    leaving = members[-1]
    services.post_end(
        actor=demo.admin,
        post=leaving,
        ended_on=max(today - datetime.timedelta(days=spec.vacancy_days_ago), leaving.in_force_from),
        reason=spec.vacancy_reason,
    )
    demo.count("空缺")
    if spec.is_pilot:
        # The pilot shows a replacement on its way: the organisation department has approved,
        # the civil-affairs bureau has not answered yet.
        unit = units[spec.members[-1]]
        rng = random.Random(f"replacement:{spec.name}")
        appoint(
            demo,
            committee,
            kind=Post.Kind.MEMBER,
            unit=unit,
            holder_name=_person(rng, {u.party_org_secretary for u in units} | {u.liaison_name for u in units}),
            holder_title="党支部副书记",
            is_unit_party_head=False,
            phone=phone(),
            nominated_on=today - datetime.timedelta(days=12),
            org_dept_on=today - datetime.timedelta(days=5),
            civil_affairs_on=None,
        )


def ensure_rotation(demo: Demo, committee: Committee, spec: CommunitySpec, units: list[Unit]) -> None:
    """R7: one year per holder over the whole term, proposed (by the administrator, for the
    township) and approved by the township staff before the term began."""
    if spec.mode != Committee.Mode.ROTATING or RotationTerm.objects.filter(committee=committee).exists():
        return
    terms = services.rotation_generate(
        actor=demo.admin, committee=committee, units=[units[i] for i in spec.rotation], start=TERM_START
    )
    services.rotation_approve(actor=demo.users["township"], committee=committee, on=ROTATION_APPROVED_ON)
    demo.count("轮值任期", len(terms))


# --- accounts ------------------------------------------------------------------------------


def _ensure_login(demo: Demo, login: DemoLogin, *, full_name: str = "", phone: str = "", **scope) -> User:
    user = User.objects.filter(username=login.username).first()
    if user is None:
        user = User(
            username=login.username,
            email=f"{login.username}@dangwei.example.cn",
            role=login.role,
            county_body=login.county_body,
            full_name=login.full_name or full_name,
            phone=phone,
            **scope,
        )
        user.set_password(DEMO_PASSWORD)
        user.full_clean()
        user.save()
        demo.count("账号")
    demo.users[login.username] = user
    return user


def ensure_deciders(demo: Demo) -> None:
    """R5/R7: the people who decide exist before what they decide on: one county user acting
    for each county body (县委组织部, 县民政局) records the posts' approvals, and the township
    staff approve the rotation plans."""
    for login in DEMO_LOGINS:
        if login.county_body:
            _ensure_login(demo, login, county=demo.county)
        elif login.role == User.Role.TOWNSHIP:
            _ensure_login(demo, login, township=demo.township)


def ensure_users(demo: Demo) -> None:
    """One demo account per role, all with DEMO_PASSWORD."""
    lingyuan = demo.communities[LINGYUAN.name]
    liaison_unit = demo.units[LINGYUAN.name][2]
    scopes = {
        User.Role.TOWNSHIP: {"township": demo.township},
        User.Role.SECRETARY: {"community": lingyuan},
        User.Role.LIAISON: {"unit": liaison_unit, "full_name": liaison_unit.liaison_name},
        User.Role.COUNTY: {"county": demo.county},
    }
    demo.users["admin"] = demo.admin
    for login in DEMO_LOGINS:
        if login.role == User.Role.ADMIN:
            continue
        phone = liaison_unit.liaison_phone if login.role == User.Role.LIAISON else ""
        _ensure_login(demo, login, phone=phone, **scopes[login.role])
    # The community secretary holds the full-time deputy post: her account receives its notices.
    post = Post.objects.filter(
        committee=demo.committees[LINGYUAN.name], kind=Post.Kind.FULLTIME_DEPUTY, status=Post.Status.IN_FORCE
    ).first()
    secretary = demo.users["secretary"]
    if post is not None and post.user_id is None:
        post.user = secretary
        post.full_clean()
        set_actor(post, demo.admin, "关联平台账号")
        post.save(update_fields=["user", "updated_at"])


# --- the demo clock (for the later demo builders: meetings, co-building, funding) -----------


def moment(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    """``day`` at ``hour:minute`` local time (Asia/Shanghai), aware."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def deliver_due(until: datetime.datetime) -> None:
    """Let the outbox worker catch up to ``until``: every message due by then goes out at its own
    due time (as the beat sweep every minute would have sent it), oldest first."""
    from inbox.models import Message
    from inbox.services import outbox_sweep

    due = Message.objects.filter(state=Message.State.PENDING, due_at__lte=until)
    for when in sorted(set(due.values_list("due_at", flat=True))):
        with mock.patch("django.utils.timezone.now", return_value=when):
            outbox_sweep(now=when)


@contextlib.contextmanager
def demo_clock(at: datetime.datetime):
    """Run the block as if it were ``at`` (a moment in the past): ``django.utils.timezone.now``
    (hence ``localdate``, ``auto_now_add`` and the history's dates) returns ``at``, so every
    service applies its own rules (no meeting in the past, no report dated tomorrow...) exactly
    as on that day and every timestamp reads as it happened. Before the block, the outbox
    delivers what fell due by ``at``. The historic part of the demo is written this way; nothing
    is ever dated after the real present."""
    if at >= datetime.datetime.now(datetime.UTC):  # the real present, even inside another demo_clock
        raise ValueError(f"demo_clock is for the past only, not {at:%Y-%m-%d %H:%M}")
    deliver_due(at)
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield at


def read_old_messages(demo: Demo, *, older_than: datetime.timedelta = datetime.timedelta(days=3)) -> None:
    """The demo accounts have read what reached their inbox before the last few days (each two
    hours after it arrived); the newer notices stay unread. Called once, after the demo seeds."""
    from inbox.models import Message
    from inbox.services import message_mark_read

    old = Message.objects.filter(
        recipient__in=list(demo.users.values()),
        state=Message.State.SENT,
        read_at__isnull=True,
        sent_at__lt=timezone.now() - older_than,
    ).select_related("recipient")
    for message in old.order_by("sent_at", "pk"):
        with demo_clock(message.sent_at + datetime.timedelta(hours=2)):
            message_mark_read(actor=message.recipient, message=message)


# --- everything ----------------------------------------------------------------------------


@transaction.atomic
def build_demo() -> Demo:
    admin = ensure_admin()
    county, _ = County.objects.get_or_create(name=COUNTY)
    township, _ = Township.objects.get_or_create(county=county, name=TOWNSHIP)
    demo = Demo(admin=admin, county=county, township=township)
    ensure_deciders(demo)
    for spec in COMMUNITIES:
        community = ensure_org(demo, spec)
        grids = ensure_grids(demo, community, spec)
        units = ensure_units(demo, community, spec, grids)
        committee = ensure_committee(demo, community, spec)
        ensure_posts(demo, committee, spec, units)
        ensure_rotation(demo, committee, spec, units)
    ensure_users(demo)
    return demo


def login_lines() -> list[str]:
    roles = dict(User.Role.choices)
    lines = []
    for login in DEMO_LOGINS:
        role = dict(User.CountyBody.choices)[login.county_body] if login.county_body else roles[login.role]
        lines.append(f"  {login.username:<10} {DEMO_PASSWORD:<10} {role} · {login.scope}")
    # assessment.demo names a county organisation department scorer of the R21 rounds
    if User.objects.filter(username="zzb").exists():
        lines.append(f"  {'zzb':<10} {DEMO_PASSWORD:<10} {roles[User.Role.COUNTY]} · {COUNTY}（双百分评分人）")
    return lines
