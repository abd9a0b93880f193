"""Permission matrix of the Word (.docx) copies (issue #16 item 8): the same readers as their PDFs."""

from tests.matrix import EVERYONE, OTHER, READ_ALL, UNIT, pk
from tests.matrix.assessment_reports import scored_task
from tests.matrix.yearend import ready_year

MATRIX = {
    "yearend:download_docx": (ready_year, READ_ALL, OTHER),
    "assessment:unit_sheet_docx": (pk(scored_task), EVERYONE, UNIT),
}
