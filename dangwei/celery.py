"""The Celery application. Periodic schedules are declared in code, in one place (beat_schedule)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangwei.settings.local")

app = Celery("dangwei")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic job of the portal, declared here and nowhere else.
app.conf.beat_schedule: dict[str, dict] = {}
app.conf.beat_schedule["inbox-sweep-outbox"] = {"task": "inbox.sweep_outbox", "schedule": 60.0}
app.conf.beat_schedule["cobuilding-sweep"] = {"task": "cobuilding.sweep", "schedule": 3600.0}
app.conf.beat_schedule["funding-remind-arrears"] = {"task": "funding.remind_arrears", "schedule": 7 * 24 * 3600.0}
