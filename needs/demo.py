"""Demo needs list (R28) of the pilot committee 陵园社区, built through ``needs.services``.

The demo liaison's unit keeps two standing resources; the half-year's needs stand in every state:
one visited (the resident satisfied), one done awaiting the return visit, one in progress, one
asked of the demo liaison's unit (for them to answer), one collected and unmatched, one merged
duplicate, and one turned into a public-benefit project. Idempotent by (committee, title, asked_by).
"""

import datetime

from django.utils import timezone

from committees.demo import LINGYUAN, Demo, demo_clock, moment

from . import services
from .models import Need, Resource


def _at(today: datetime.date, days_ago: int, hour: int = 10) -> datetime.datetime:
    return moment(today - datetime.timedelta(days=days_ago), hour)


def seed(demo: Demo) -> None:
    committee = demo.committees[LINGYUAN.name]
    secretary = demo.users["secretary"]
    liaison = demo.users["liaison"]
    unit = liaison.unit
    today = timezone.localdate()
    grids = list(committee.community.grids.order_by("name"))
    grid = grids[0] if grids else None

    if not Resource.objects.filter(unit=unit).exists():
        with demo_clock(_at(today, 60)):
            services.resource_save(
                actor=liaison,
                unit=unit,
                kind="skill",
                title="电力志愿服务队（电工12人）",
                description="可上门检修线路、更换照明。",
                categories=["safety", "elderly"],
            )
            services.resource_save(
                actor=liaison,
                unit=unit,
                kind="venue",
                title="职工活动室（可容纳60人）",
                description="周末可借用。",
                categories=["culture", "children"],
            )
        demo.count("单位资源", 2)

    existing = {(n.title, n.asked_by): n for n in Need.objects.filter(committee=committee)}

    def collect(title, asked_by, days_ago, **fields) -> Need | None:
        if (title, asked_by) in existing:
            return None
        with demo_clock(_at(today, days_ago)):
            need = services.need_collect(
                actor=secretary,
                committee=committee,
                title=title,
                asked_by=asked_by,
                collected_on=today - datetime.timedelta(days=days_ago),
                grid=grid,
                **fields,
            )
        existing[(title, asked_by)] = need
        demo.count("居民需求")
        return need

    def claimed_by_unit(need: Need, days_ago: int) -> Need:
        with demo_clock(_at(today, days_ago)):
            request = services.need_request(actor=secretary, need=need, unit=unit)
        with demo_clock(_at(today, days_ago - 1, 15)):
            services.request_accept(actor=liaison, request=request)
        need.refresh_from_db()
        return need

    visited = collect("5号楼楼道照明灯损坏", "张大爷", 70, category="safety", building="5号楼")
    if visited is not None:
        visited = claimed_by_unit(visited, 68)
        with demo_clock(_at(today, 60)):
            visited = services.need_done(
                actor=liaison,
                need=visited,
                done_on=today - datetime.timedelta(days=60),
                note="更换感应灯16盏，检修线路。",
                today=timezone.localdate(),
            )
        with demo_clock(_at(today, 55)):
            services.need_visit(actor=secretary, need=visited, satisfied=True, note="晚上回家不再摸黑。")

    done = collect("独居老人家中线路老化", "刘奶奶", 30, category="elderly", building="2号楼", urgency="soon")
    if done is not None:
        done = claimed_by_unit(done, 28)
        with demo_clock(_at(today, 6)):
            services.need_done(
                actor=liaison,
                need=done,
                done_on=today - datetime.timedelta(days=6),
                note="上门更换老化电线和插座。",
                today=timezone.localdate(),
            )

    progress = collect("暑期少儿托管场地不足", "王女士", 20, category="children")
    if progress is not None:
        progress = claimed_by_unit(progress, 18)
        with demo_clock(_at(today, 15)):
            services.need_start(actor=liaison, need=progress)

    asked = collect("小区健身器材损坏", "赵先生", 8, category="culture", building="广场")
    if asked is not None:
        with demo_clock(_at(today, 2)):
            services.need_request(actor=secretary, need=asked, unit=unit, note="贵单位有活动场地和志愿者，请考虑。")

    first = collect("背街小巷垃圾清运不及时", "孙阿姨", 12, category="environment")
    again = collect("背街小巷垃圾清运不及时", "周大伯", 10, category="environment")
    if first is not None and again is not None:
        with demo_clock(_at(today, 9)):
            services.need_merge(actor=secretary, duplicate=again, into=first)

    project = collect("老旧小区停车位施划", "吴先生", 25, category="traffic", description="小区车位紧张，需重新施划。")
    if project is not None:
        with demo_clock(_at(today, 22)):
            services.need_to_project(
                actor=secretary,
                need=project,
                claim_by=today + datetime.timedelta(days=10),
                deadline=today + datetime.timedelta(days=60),
                place="",
                today=timezone.localdate(),
            )
