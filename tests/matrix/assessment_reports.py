"""Permission matrix of the R21 reports (issue #6 items 5 and 6): read-only pages for every role
in its scope. A county reviewer reads every unit of their county (another county's: 404); a
liaison only their own unit's sheet once the round is released; rankings are for the committee
side (a liaison has none: 404).

Large ranking PDFs built in the background (``assessment.ranking_files``): the file page, its
progress fragment and the download follow the ranking page's scope. Asking for the build is a
POST (405 to a GET here); it changes no scoring data, so county reviewers may ask too — the
per-role statuses of the POST are asserted in ``tests/assessment/test_ranking_files.py``."""

from django.core.files.base import ContentFile

from tests import matrix_builders as b
from tests.assessment.report_factories import YEAR, finalised_task, make_round
from tests.matrix import EVERYONE, OTHER, POST_ONLY_AFTER_LOGIN, READ_ALL, UNIT, nothing, pk


@b.once
def scored_task(p):
    """The place's unit, finalised in its county's released round."""
    return finalised_task(make_round(p.township.county), p.unit)


def committee_ranking(p):
    scored_task(p)
    return {"?": {"year": YEAR, "scope": "committee", "id": p.committee.pk}}


@b.once
def ready_ranking_file(p):
    """A built PDF of the place's committee ranking."""
    from assessment.models import RankingFile

    task = scored_task(p)
    ranking_file = RankingFile(
        round=task.round, scope_kind="committee", scope_id=p.committee.pk, status="ready", progress=100
    )
    ranking_file.file.save("ranking.pdf", ContentFile(b"%PDF-1.4 matrix"), save=False)
    ranking_file.save()
    return ranking_file


def committee_ranking_file(p):
    ready_ranking_file(p)
    return committee_ranking(p)


MATRIX = {
    "assessment:report_index": (nothing, EVERYONE),
    "assessment:unit_sheet": (pk(scored_task), EVERYONE, UNIT),
    "assessment:unit_sheet_pdf": (pk(scored_task), EVERYONE, UNIT),
    "assessment:ranking": (committee_ranking, READ_ALL, OTHER),
    "assessment:ranking_pdf": (committee_ranking, READ_ALL, OTHER),
    "assessment:ranking_xlsx": (committee_ranking, READ_ALL, OTHER),
    "assessment:ranking_file": (committee_ranking, READ_ALL, OTHER),
    "assessment:ranking_file_status": (committee_ranking_file, READ_ALL, OTHER),
    "assessment:ranking_file_download": (committee_ranking_file, READ_ALL, OTHER),
    "assessment:ranking_file_request": (committee_ranking, POST_ONLY_AFTER_LOGIN),
}
