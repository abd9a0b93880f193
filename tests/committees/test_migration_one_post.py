"""Issue #11 item 4 (R3): existing posts that break "one person, one post" are settled by the
data migration before the constraint is added, never a crash: the higher post stays."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("committees", "0004_committee_mode_labels_without_plan_codes")]
AFTER = [("committees", "0005_post_one_per_person")]


def test_r3_migration_settles_duplicate_live_posts_keeping_the_higher_one():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    County, Township, Community = (apps.get_model("committees", m) for m in ("County", "Township", "Community"))
    Committee, Unit, Post = (apps.get_model("committees", m) for m in ("Committee", "Unit", "Post"))
    county = County.objects.create(name="迁移县")
    community = Community.objects.create(
        township=Township.objects.create(county=county, name="迁移镇"), name="迁移社区"
    )
    committee = Committee.objects.create(
        community=community,
        name="迁移大党委",
        term_start=datetime.date(2024, 1, 1),
        term_end=datetime.date(2028, 12, 31),
    )
    unit = Unit.objects.create(community=community, name="迁移单位", unit_type="enterprise")
    day = datetime.date(2024, 1, 15)
    common = {"committee": committee, "unit": unit, "holder_name": "张三", "nominated_on": day}
    member = Post.objects.create(kind="member", status="in_force", in_force_from=day, **common)
    deputy = Post.objects.create(kind="deputy", status="in_force", in_force_from=day, **common)
    waiting = Post.objects.create(kind="secretary", status="nominated", **common)
    other = Post.objects.create(
        kind="member", status="in_force", in_force_from=day, **{**common, "holder_name": "李四"}
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    Post = apps.get_model("committees", "Post")
    HistoricalPost = apps.get_model("committees", "HistoricalPost")
    status = dict(Post.objects.values_list("pk", "status"))
    assert status == {member.pk: "ended", deputy.pk: "in_force", waiting.pk: "rejected", other.pk: "in_force"}
    ended = Post.objects.get(pk=member.pk)
    assert ended.ended_on >= day and "一人只能担任一个职务" in ended.end_reason
    reasons = set(
        HistoricalPost.objects.filter(id__in=[member.pk, waiting.pk]).values_list("history_change_reason", flat=True)
    )
    assert reasons == {"一人只能担任一个职务（数据整理：保留其较高职务）"}

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
