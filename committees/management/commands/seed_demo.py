"""``manage.py seed_demo``: the demo township (see committees.demo). Idempotent."""

from django.core.management.base import BaseCommand

from committees.demo import build_demo, login_lines

LOGINS_BEGIN = "== 演示账号 =="
LOGINS_END = "== 演示账号结束 =="


class Command(BaseCommand):
    help = "建立演示数据：示范县城关镇的三个社区大党委、成员单位、职务、轮值安排和各角色演示账号（可重复运行）。"

    def handle(self, *args, **options):
        demo = build_demo()
        if demo.created:
            made = "，".join(f"{what} {n}" for what, n in demo.created.items())
            self.stdout.write(self.style.SUCCESS(f"演示数据已建立：{made}。"))
        else:
            self.stdout.write("演示数据已存在，未做任何修改。")
        # dev.py reprints this block under the server address.
        self.stdout.write(LOGINS_BEGIN)
        for line in login_lines():
            self.stdout.write(line)
        self.stdout.write(LOGINS_END)
