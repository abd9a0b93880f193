"""Permission matrix of the year-end report (R14): liaisons have no committee scope (404 on
everything); county reviewers read and download; state changes are POST-only."""

from django.core.files.base import ContentFile

from tests import matrix_builders as b
from tests.matrix import OTHER, POST_ONLY_AFTER_LOGIN, READ_ALL, nothing
from yearend.models import YearEndReport

YEAR = 2025


@b.once
def ready_report(p):
    report = YearEndReport(committee=p.committee, year=YEAR, status="ready", progress=100, builds=1)
    report.file.save("matrix.pdf", ContentFile(b.PDF), save=False)
    report.save()
    return report


def committee_year(p):
    return {"pk": p.committee.pk, "year": YEAR}


def ready_year(p):
    report = ready_report(p)
    return {"pk": report.committee_id, "year": report.year}


MATRIX = {
    "yearend:index": (nothing, READ_ALL),
    "yearend:request_all": (nothing, POST_ONLY_AFTER_LOGIN),
    "yearend:report": (committee_year, READ_ALL, OTHER),
    "yearend:status": (committee_year, READ_ALL, OTHER),
    "yearend:download": (ready_year, READ_ALL, OTHER),
    "yearend:plan": (committee_year, POST_ONLY_AFTER_LOGIN),
    "yearend:request": (committee_year, POST_ONLY_AFTER_LOGIN),
    "yearend:ask": (committee_year, POST_ONLY_AFTER_LOGIN),
}
