"""Run one sweep of the outbox by hand and print what it sent (R12.2)."""

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from inbox.services import SWEEP_LIMIT, outbox_sweep


class Command(BaseCommand):
    help = "发送所有到期的会议通知、提醒和其他消息（一次）。"

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=SWEEP_LIMIT, help="本次最多发送的条数")

    def _line(self, label, message):
        return _("%(label)s  %(subject)s  →  %(to)s  [%(key)s]") % {
            "label": label,
            "subject": message.subject,
            "to": message.email or _("站内消息"),
            "key": message.key,
        }

    def handle(self, *args, limit, **options):
        result = outbox_sweep(limit=limit)
        for message in result.sent:
            self.stdout.write(self._line(_("已发送"), message))
        for message in result.retrying:
            self.stdout.write(self.style.WARNING(self._line(_("稍后重试"), message)))
        for message in result.failed:
            self.stdout.write(self.style.ERROR(self._line(_("发送失败"), message)))
        summary = _("%(when)s：发送 %(sent)s 条，待重试 %(retrying)s 条，失败 %(failed)s 条。") % {
            "when": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            "sent": len(result.sent),
            "retrying": len(result.retrying),
            "failed": len(result.failed),
        }
        self.stdout.write(summary)
