"""The permission matrix's vocabulary (statuses per role, places, argument builders), shared by
``tests/test_permission_matrix.py`` and the per-app modules beside this one.

Each module ``tests/matrix/<name>.py`` defines ``MATRIX = {url name: entry}`` for its app's URLs,
in the same form as the main table; the main test merges them all. Builders of objects that
only one app needs live in that module (a function of a ``tests.matrix_builders.Place``).
"""

from tests import matrix_builders as b

ROLES = ("township", "secretary", "liaison", "county", "admin")


def S(township, secretary, liaison, county, admin, anonymous=302):  # noqa: N802 - reads like a table row
    """One row: the status of each role; an anonymous visitor is sent to the login page."""
    return dict(zip((*ROLES, "anonymous"), (township, secretary, liaison, county, admin, anonymous), strict=True))


EVERYONE = S(200, 200, 200, 200, 200)  # lists that scope their content; a liaison's own unit's objects
READ_ALL = S(200, 200, 404, 200, 200)  # committee-level pages: liaisons have no committee scope
CHANGE = S(200, 200, 404, 403, 200)  # committee-level forms
UNIT_CHANGE = S(200, 200, 200, 403, 200)  # forms on a unit's own objects, the liaison's included
COMMUNITY_SIDE = S(200, 200, 403, 403, 200)  # community-side forms on objects a liaison can see
REDIRECTS = S(302, 302, 302, 302, 302)  # landing pages: each role is sent where its work is
POST_ONLY = S(405, 405, 405, 405, 405, anonymous=405)  # @require_POST outside @login_required
POST_ONLY_AFTER_LOGIN = S(405, 405, 405, 405, 405)  # @login_required outside @require_POST

# Places an object-taking URL is tried in again (tests.matrix_builders.Place), and the roles that
# must get a 404 there: another unit of the same committee is outside a liaison's scope; a
# committee of another township outside a township's, a secretary's and a liaison's; a
# committee of another county outside the county reviewer's as well.
OUTSIDE = {
    "sibling": ("liaison",),
    "other": ("township", "secretary", "liaison"),
    "foreign": ("township", "secretary", "liaison", "county"),
}
OTHER = ("other", "foreign")  # committee-level objects
COUNTY = ("foreign",)  # county-wide objects (assessment schemes): only another county is outside
UNIT = ("sibling", "other", "foreign")  # objects of one unit
# Pages that pick their committee with ?committee=: a secretary and a liaison always work on their
# own committee (the parameter is ignored, nothing of the other one is shown), and a role refused
# before the committee is looked up stays refused (403).
OWN = ("secretary", "liaison")
OWN_REFUSED = ("secretary", "liaison", "county")


def pk(make):
    return lambda p: {"pk": make(p).pk}


def committee_pk(p):
    return {"pk": p.committee.pk}


def community(p):
    return {"community_id": p.community.pk}


def in_committee(p):
    return {"?": {"committee": p.committee.pk}}


def held_pk(p):
    return {"pk": b.held(p).meeting.pk}


def year_pk(p):
    return {"pk": b.fiscal_year(p).pk}


def nothing(p):
    return {}


# name → (kwargs builder from a place, expected statuses[, places to try again[, roles kept]])
# A builder's "?" key is the query string.
