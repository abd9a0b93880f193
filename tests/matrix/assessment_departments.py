"""Permission matrix of the county's functional departments (职能部门, R21; assessment/urls.py).

County reviewers, township staff and secretaries read their county's list; a liaison has no
business there (403); only the administrator, who keeps the schemes, adds and edits (403 for
the others who see the department, 404 for another county's)."""

from assessment import departments
from assessment.models import FunctionalDepartment
from tests import matrix_builders as b
from tests.matrix import COUNTY, S, nothing, pk


@b.once
def functional_department(p):
    county = p.township.county
    existing = FunctionalDepartment.objects.filter(county=county, name="县民政局").first()
    if existing is not None:
        return existing
    return departments.department_create(actor=p.actor, county=county, name="县民政局", duties="社区建设指导")


MATRIX = {
    "assessment:department_list": (nothing, S(200, 200, 403, 200, 200)),
    "assessment:department_create": (nothing, S(403, 403, 403, 403, 200)),
    # a liaison reads no department (404); another county's department is a 404 for its reviewers
    "assessment:department_update": (pk(functional_department), S(403, 403, 404, 403, 200), COUNTY),
}
