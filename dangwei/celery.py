"""The Celery application. Periodic schedules are declared in code, in one place (beat_schedule)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangwei.settings.local")

app = Celery("dangwei")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic job of the portal, declared here and nowhere else.
app.conf.beat_schedule: dict[str, dict] = {}
