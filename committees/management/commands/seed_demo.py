"""``manage.py seed_demo``: the demo township (see committees.demo), then a year of its work:
meetings, co-building and funding (each app's ``demo.seed``). Idempotent."""

import time

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

import accounts.demo
import assessment.demo
import cobuilding.demo
import funding.demo
import meetings.demo
import needs.demo
import proposals.demo
import reviews.demo
import rollout.demo
import yearend.demo
from committees.demo import build_demo, deliver_due, login_lines, read_old_messages

LOGINS_BEGIN = "== 演示账号 =="
LOGINS_END = "== 演示账号结束 =="

# After the organisation, in this order (later ones build on earlier ones: the funding share plan
# is activated by a meeting's resolution). Each is called with the committees.demo.Demo and
# counts what it made in ``demo.created`` (that decides the "nothing changed" message); add
# further apps' seeds here (a seed without parameters: ``lambda demo: app.demo.seed()``).
SEEDS = (
    meetings.demo.seed,
    cobuilding.demo.seed,
    funding.demo.seed,
    assessment.demo.seed,  # R21: after funding (suggestions read its payments)
    lambda demo: reviews.demo.seed(),  # R22: last year's member review
    proposals.demo.seed,  # R27: proposals in every state
    needs.demo.seed,  # R28: the needs list and the units' resources
    lambda demo: rollout.demo.seed(),  # R25: the township's plan, the pilot in stage 4
    lambda demo: yearend.demo.seed(),  # R14: next year's plan text of the pilot's report
    accounts.demo.seed,  # issue #14: the three officers (三员)
)


class Command(BaseCommand):
    help = (
        "建立演示数据：示范县城关镇的三个社区大党委、成员单位、职务、轮值安排和各角色演示账号，"
        "以及本年度的会议、共驻共建和经费数据（可重复运行）。"
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        with transaction.atomic():
            demo = build_demo()
            for seed in SEEDS:
                seed(demo)
            deliver_due(timezone.now())  # what the seeds sent today goes out, as the worker would
            if demo.created:
                read_old_messages(demo)
        if demo.created:
            made = "，".join(f"{what} {n}" for what, n in demo.created.items())
            self.stdout.write(
                self.style.SUCCESS(f"演示数据已建立：{made}（用时 {time.monotonic() - started:.1f} 秒）。")
            )
        else:
            self.stdout.write("演示数据已存在，未做任何修改。")
        # dev.py reprints this block under the server address.
        self.stdout.write(LOGINS_BEGIN)
        for line in [*login_lines(), *accounts.demo.login_lines()]:
            self.stdout.write(line)
        self.stdout.write(LOGINS_END)
