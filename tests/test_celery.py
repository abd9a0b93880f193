"""Every periodic job declared in dangwei/celery.py names a task the worker knows."""

from dangwei.celery import app


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    registered = set(app.tasks)
    missing = {name: e["task"] for name, e in app.conf.beat_schedule.items() if e["task"] not in registered}
    assert not missing, missing
    assert {"inbox.sweep_outbox", "rollout.refresh", "yearend.request_drafts"} <= {
        e["task"] for e in app.conf.beat_schedule.values()
    }
