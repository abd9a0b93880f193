"""Permission matrix of the R21 reports (issue #6 items 5 and 6): read-only pages for every role
in its scope. A county reviewer reads every unit of their county (another county's: 404); a
liaison only their own unit's sheet once the round is released; rankings are for the committee
side (a liaison has none: 404)."""

from tests import matrix_builders as b
from tests.assessment.report_factories import YEAR, finalised_task, make_round
from tests.matrix import EVERYONE, OTHER, READ_ALL, UNIT, nothing, pk


@b.once
def scored_task(p):
    """The place's unit, finalised in its county's released round."""
    return finalised_task(make_round(p.township.county), p.unit)


def committee_ranking(p):
    scored_task(p)
    return {"?": {"year": YEAR, "scope": "committee", "id": p.committee.pk}}


MATRIX = {
    "assessment:report_index": (nothing, EVERYONE),
    "assessment:unit_sheet": (pk(scored_task), EVERYONE, UNIT),
    "assessment:unit_sheet_pdf": (pk(scored_task), EVERYONE, UNIT),
    "assessment:ranking": (committee_ranking, READ_ALL, OTHER),
    "assessment:ranking_pdf": (committee_ranking, READ_ALL, OTHER),
    "assessment:ranking_xlsx": (committee_ranking, READ_ALL, OTHER),
}
