"""Issue #7 item 2: the dashboards. Each role lands on its own; a role opening another role's
dashboard is sent to its own (302). The township, county and administrator open a community's
secretary dashboard with ?community= (404 outside their scope; a secretary always sees their own)."""

from tests.matrix import OTHER, OWN, S, nothing


def _community(p):
    return {"?": {"community": p.committee.community_id}}


MATRIX = {
    "dashboards:township": (nothing, S(200, 302, 302, 200, 200)),
    "dashboards:secretary": (_community, S(200, 200, 302, 200, 200), OTHER, OWN),
    "dashboards:liaison": (nothing, S(302, 302, 200, 302, 302)),
    "dashboards:county": (nothing, S(302, 302, 302, 200, 200)),
}
