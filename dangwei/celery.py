"""The Celery application. Periodic schedules are declared in code, in one place (beat_schedule)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangwei.settings.local")

app = Celery("dangwei")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic job of the portal, declared here and nowhere else.
app.conf.beat_schedule: dict[str, dict] = {}
app.conf.beat_schedule["inbox-sweep-outbox"] = {"task": "inbox.sweep_outbox", "schedule": 60.0}
app.conf.beat_schedule["cobuilding-sweep"] = {"task": "cobuilding.sweep", "schedule": 3600.0}
app.conf.beat_schedule["funding-remind-arrears"] = {"task": "funding.remind_arrears", "schedule": 7 * 24 * 3600.0}
# R14: the draft year-end report of every active committee, on 1 December at 02:00.
app.conf.beat_schedule["yearend-request-drafts"] = {
    "task": "yearend.request_drafts",
    "schedule": crontab(minute=0, hour=2, day_of_month=1, month_of_year=12),
}
# Issue #14 item 8: audit records past the retention period (at least 180 days), daily at 03:30.
app.conf.beat_schedule["audit-prune"] = {"task": "audit.prune", "schedule": crontab(minute=30, hour=3)}
app.conf.beat_schedule["rollout-refresh"] = {"task": "rollout.refresh", "schedule": 3600.0}
# Issue #13: take back report builds whose lease expired (a killed worker, a broker that was down).
app.conf.beat_schedule["yearend-watchdog"] = {"task": "yearend.watchdog", "schedule": 60.0}
app.conf.beat_schedule["assessment-ranking-files-watchdog"] = {
    "task": "assessment.ranking_files_watchdog",
    "schedule": 60.0,
}
