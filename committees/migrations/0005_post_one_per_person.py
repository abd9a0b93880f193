"""R3: one person holds at most one post in a committee (issue #11 item 4).

Rows that already break the rule are settled first, so the constraint never fails on existing
data: for each person with several live posts in one committee the highest post is kept (书记 >
专职副书记 > 副书记 > 委员, then the earliest); the others end (a post in force, dated today or its
start) or are marked not approved (a waiting nomination), each with its reason and a history
row, so the change stays on the record."""

import datetime

from django.db import migrations, models
from django.utils import timezone

RANK = {"secretary": 0, "fulltime_deputy": 1, "deputy": 2, "member": 3}
REASON = "一人只能担任一个职务（数据整理：保留其较高职务）"


def settle_duplicates(apps, schema_editor):
    Post = apps.get_model("committees", "Post")
    HistoricalPost = apps.get_model("committees", "HistoricalPost")
    live = Post.objects.filter(status__in=["nominated", "in_force"]).order_by("committee_id", "holder_name")
    groups = {}
    for post in live:
        groups.setdefault((post.committee_id, post.holder_name), []).append(post)
    today = timezone.localdate()
    fields = [f.attname for f in Post._meta.fields]
    for posts in groups.values():
        if len(posts) < 2:
            continue
        posts.sort(key=lambda p: (p.status != "in_force", RANK.get(p.kind, 9), p.nominated_on, p.pk))
        for post in posts[1:]:
            if post.status == "in_force":
                post.status, post.ended_on = "ended", max(today, post.in_force_from or today)
                post.end_reason = REASON
            else:
                post.status = "rejected"
            post.save(update_fields=["status", "ended_on", "end_reason"])
            HistoricalPost.objects.create(
                **{name: getattr(post, name) for name in fields},
                history_date=datetime.datetime.now(tz=datetime.UTC),
                history_type="~",
                history_change_reason=REASON,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("committees", "0004_committee_mode_labels_without_plan_codes"),
    ]

    operations = [
        migrations.RunPython(settle_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="post",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["nominated", "in_force"])),
                fields=("committee", "holder_name"),
                name="post_one_per_person",
                violation_error_message="一人只能担任一个职务。",
            ),
        ),
    ]
