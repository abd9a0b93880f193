"""Fixtures of the year-end report tests (R14)."""

import pytest

from .builders import build_year

YEAR = 2025


@pytest.fixture
def year_data(world, admin_user):
    """A full year 2025 of 陵园社区大党委 (world.mine) with 4 more units, 4 meetings (one per
    quarter), 8 resolutions, scores and a 12-line ledger."""
    return build_year(world.mine, year=YEAR, actor=admin_user, units=4, meetings=4, ledger=12)


@pytest.fixture
def enqueued(monkeypatch):
    """Record the Celery enqueues instead of sending them to a broker (tests run no worker)."""
    from yearend import tasks

    calls = []
    monkeypatch.setattr(tasks.build_report, "delay", lambda report_id: calls.append(report_id))
    return calls
