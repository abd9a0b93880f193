"""R14 (issue #11 item 16): after the year-end report, its evaluation (接受评议) by the community's
party members and the resident units is recorded — a satisfaction tally per report and group —
shown on the report page and carried into next year's dashboard."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from yearend import evaluations
from yearend.models import ReportEvaluation, YearEndReport

pytestmark = pytest.mark.django_db
YEAR = 2025
DAY = datetime.date(2026, 1, 10)


def _report(committee, *, ready=True):
    report = YearEndReport(committee=committee, year=YEAR, status="ready" if ready else "new", builds=int(ready))
    if ready:
        report.file.save("r.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
        report.finished_at = timezone.make_aware(datetime.datetime(2026, 1, 5, 10))
        report.progress = 100
    report.save()
    return report


def _record(actor, committee, **kw):
    fields = {"group": "party_members", "held_on": DAY, "present": 40, "satisfied": 30, "fairly": 6, "basic": 2}
    fields |= {"unsatisfied": 1, "today": DAY} | kw
    return evaluations.evaluation_record(actor=actor, committee=committee, year=YEAR, **fields)


def test_r14_the_evaluation_is_recorded_per_report_and_group_with_its_satisfaction(world, secretary_user):
    _report(world.mine)
    e = _record(secretary_user, world.mine)
    assert e.total == 39 and e.satisfaction == Decimal("97.4")
    units = _record(
        secretary_user, world.mine, group="units", present=12, satisfied=8, fairly=2, basic=0, unsatisfied=2
    )
    assert units.satisfaction == Decimal("83.3")
    # a correction is the same row, audited
    again = _record(secretary_user, world.mine, unsatisfied=2)
    assert again.pk == e.pk and ReportEvaluation.objects.count() == 2
    assert [h.unsatisfied for h in e.history.order_by("history_date")] == [1, 2]


def test_r14_no_evaluation_before_the_report_exists(world, secretary_user):
    with pytest.raises(ValidationError) as exc:
        _record(secretary_user, world.mine)
    assert exc.value.code == "no_report" and "尚未生成" in exc.value.messages[0]
    _report(world.mine, ready=False)
    with pytest.raises(ValidationError, match="尚未生成"):
        _record(secretary_user, world.mine)
    assert not ReportEvaluation.objects.exists()


def test_r14_the_evaluation_comes_after_the_report_and_not_in_the_future(world, secretary_user):
    _report(world.mine)
    with pytest.raises(ValidationError, match="不能早于报告生成日期"):
        _record(secretary_user, world.mine, held_on=datetime.date(2026, 1, 4))
    with pytest.raises(ValidationError, match="不能晚于今天"):
        _record(secretary_user, world.mine, held_on=datetime.date(2026, 1, 11))
    assert not ReportEvaluation.objects.exists()


def test_r14_ballots_cannot_exceed_the_people_present(world, secretary_user):
    _report(world.mine)
    with pytest.raises(ValidationError) as exc:
        _record(secretary_user, world.mine, present=10)
    assert (
        exc.value.error_dict["present"][0].code == "over_present" and "超过了参加评议的 10 人" in exc.value.messages[0]
    )
    assert not ReportEvaluation.objects.exists()


def test_r14_the_database_keeps_one_tally_per_group_within_the_people_present(world, secretary_user):
    report = _report(world.mine)
    _record(secretary_user, world.mine)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportEvaluation.objects.create(
            report=report, group="party_members", held_on=DAY, present=1, recorded_by=secretary_user
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportEvaluation.objects.create(
            report=report, group="units", held_on=DAY, present=1, satisfied=2, recorded_by=secretary_user
        )
    assert ReportEvaluation.objects.count() == 1


def test_r14_only_those_who_change_the_committee_record_it(world, county_user):
    _report(world.mine)
    with pytest.raises(PermissionDenied):
        _record(county_user, world.mine)
    assert not ReportEvaluation.objects.exists()


def test_r14_the_report_page_shows_the_evaluation_and_refuses_in_chinese(
    world, secretary_user, login, django_assert_max_num_queries
):
    _report(world.mine)
    _record(secretary_user, world.mine)
    client = login(secretary_user)
    url = reverse("yearend:report", args=[world.mine.pk, YEAR])
    with django_assert_max_num_queries(30):
        response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200 and 'id="evaluation-table"' in page
    assert "社区党员" in page and "97.4%" in page
    bad = client.post(
        reverse("yearend:evaluation", args=[world.mine.pk, YEAR]),
        {
            "group": "units",
            "held_on": "2026-01-10",
            "present": 3,
            "satisfied": 5,
            "fairly": 0,
            "basic": 0,
            "unsatisfied": 0,
        },
    )
    assert bad.status_code == 400 and "超过了参加评议的 3 人" in bad.content.decode()
    assert not ReportEvaluation.objects.filter(group="units").exists()


def test_r14_last_years_evaluation_is_on_this_years_dashboard(world, secretary_user):
    _report(world.mine)
    _record(secretary_user, world.mine)
    shown = evaluations.last_year_evaluations(committee=world.mine, today=datetime.date(2026, 3, 1))
    assert [e.group for e in shown] == ["party_members"]
    assert evaluations.last_year_evaluations(committee=world.mine, today=datetime.date(2027, 3, 1)) == []


def test_r14_the_secretary_dashboard_carries_last_years_evaluation(world, secretary_user, login, monkeypatch):
    import dashboards.selectors as dash_selectors

    _report(world.mine)
    _record(secretary_user, world.mine)
    monkeypatch.setattr(dash_selectors.timezone, "localdate", lambda *a: datetime.date(2026, 3, 1))
    page = login(secretary_user).get(reverse("home"), follow=True).content.decode()
    assert 'id="last-year-evaluation"' in page and "2025年度工作报告评议" in page and "满意度 97.4%" in page
