"""Permission matrix of the Word (.docx) copies (issue #16 item 8): the same readers as their PDFs."""

from tests import matrix_builders as b
from tests.matrix import EVERYONE, OTHER, READ_ALL, UNIT, held_pk, pk
from tests.matrix.assessment_reports import scored_task
from tests.matrix.yearend import ready_year

MATRIX = {
    "meetings:record_docx": (held_pk, READ_ALL, OTHER),
    "meetings:minutes_docx": (pk(b.minutes), READ_ALL, OTHER),
    "yearend:download_docx": (ready_year, READ_ALL, OTHER),
    "assessment:unit_sheet_docx": (pk(scored_task), EVERYONE, UNIT),
}
