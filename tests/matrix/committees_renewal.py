"""Permission matrix of 换届 (issue #11 item 6, R6): the township renews a committee (as it forms
one); a secretary may not, county reviewers read only, liaisons have no committee scope."""

from tests.matrix import OTHER, S, committee_pk

MATRIX = {
    "committees:committee_renew": (committee_pk, S(200, 403, 404, 403, 200), OTHER),
}
