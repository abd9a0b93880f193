"""Issue #14 §4: no page answers 500 to odd input in its address.

Every page of the permission matrix that some role may open is requested by that role with
hostile values in every query parameter the portal's views read (years out of range, months like
9999-12 or 1-1, ids beyond 64 bits, NUL characters, 5,000 digits...), once with the page's own
parameters kept (so the page is really shown and the others are parsed) and once with those
hostile too. Then every integer in the page's path is replaced by 2**70: a 404, never a 500 (on
SQLite and on PostgreSQL, which overflow differently: run this file with DATABASE_URL too).
"""

import pytest
from django.urls import reverse

from assessment.scoring_forms import TaskFilterForm
from committees.filters import UnitFilter
from funding.forms import PresetForm
from tests.matrix_builders import Place
from tests.test_permission_matrix import MATRIX, ROLES, _entry, users  # noqa: F401 - users is a fixture

BIG = 2**70

# Every query parameter a view reads (grep "request.GET" and the filter forms), and more that a
# view may read tomorrow.
PARAMETERS = sorted(
    {
        *("year", "month", "page", "q", "scope", "id", "pick", "parent", "motion", "item", "half"),
        *("committee", "community", "unit", "township", "county", "round", "grid", "status", "overdue"),
        *("all", "category", "batch", "prefill", "next", "kind", "date", "day", "from", "to", "user"),
        *UnitFilter.base_filters,
        *TaskFilterForm.base_fields,
        *PresetForm.base_fields,
    }
)

HOSTILE = [
    "99999",
    "-1",
    "0",
    "abc",
    "9999-12",
    "1-1",
    "2026-13",
    str(BIG),
    str(10**30),
    "NaN",
    "1.5",
    "a\x00b",
    "9" * 5000,
    f"township:{BIG}",
]

# Pages some role opens (200); the first such role opens it here.
PAGES = sorted(name for name in MATRIX if any(_entry(name)[1][role] == 200 for role in ROLES))


def _page(name, world, users):  # noqa: F811 - the fixture's value, passed on
    build, expected, *_rest = _entry(name)
    role = next(role for role in ROLES if expected[role] == 200)
    kwargs = build(Place(world, users))
    query = kwargs.pop("?", None) or {}
    return users[role], kwargs, query


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_hostile_query_parameters_and_ids_never_answer_500(name, world, users, client):  # noqa: F811
    """Query parameters fall back or answer 400/404; an id beyond 64 bits in the path is a 404."""
    user, kwargs, query = _page(name, world, users)
    url = reverse(name, kwargs=kwargs)
    client.force_login(user)
    for value in HOSTILE:
        for params in ({**dict.fromkeys(PARAMETERS, value), **query}, dict.fromkeys([*PARAMETERS, *query], value)):
            status = client.get(url, params).status_code
            assert status < 500, f"{name} {value[:20]!r} {params.keys() & query.keys()}: {status}"
            if not query:
                break  # the second set is the same
    for key, value in kwargs.items():
        if isinstance(value, int):
            status = client.get(reverse(name, kwargs={**kwargs, key: BIG}), query).status_code
            assert status == 404, f"{name} {key}={BIG}: {status}"
