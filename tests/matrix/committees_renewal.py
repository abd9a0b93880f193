"""Permission matrix of issue #11's organisation pages: 换届 (R6) is the township's, like forming a
committee (a secretary may not, county reviewers read only, liaisons have no committee scope);
the nominations waiting for the county bodies (R5) are a list scoped to each user."""

from tests.matrix import EVERYONE, OTHER, S, committee_pk, nothing

MATRIX = {
    "committees:committee_renew": (committee_pk, S(200, 403, 404, 403, 200), OTHER),
    "committees:nomination_list": (nothing, EVERYONE),
}
