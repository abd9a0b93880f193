"""Permission matrix of the year-end report's evaluation (R14, issue #11 item 16): POST only."""

from tests.matrix import POST_ONLY_AFTER_LOGIN
from tests.matrix.yearend import committee_year

MATRIX = {
    "yearend:evaluation": (committee_year, POST_ONLY_AFTER_LOGIN),
}
