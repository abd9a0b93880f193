"""The POST permission matrix (issue #14): every URL of the project, posted to by every role with
its own CSRF token, from database ids (``tests.matrix_builders``), not a crawl.

Wherever the GET matrix (tests/test_permission_matrix.py) refuses a role (403/404, or the log-in
page for an anonymous visitor), a POST by that role is refused too (403/404/405, or the log-in
page) and writes nothing: every INSERT/UPDATE/DELETE the request runs is captured, and only the
session, the audit log and the log-in bookkeeping may be written. For the POST-only actions
(a GET is a 405 for everyone), the county reviewer — who changes nothing — is refused, except
where listed below, and an anonymous visitor is sent to log in. One world per role: a refused POST
changes nothing; each URL's objects are built in a savepoint rolled back after its POST.
"""

import re

import pytest
from django.db import connection, transaction
from django.test import Client

from tests import matrix_builders as b
from tests.matrix import ROLES
from tests.test_permission_matrix import MATRIX, _entry, _url

# Tables a refused request may still write: the session (CSRF, last seen), the audit log (the
# refusal itself is recorded), the session bookkeeping and axes' log.
MAY_WRITE = re.compile(r'^"?(django_session|audit_auditevent|accounts_usersession|axes_\w+)"?$')
WRITE = re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.IGNORECASE)

# Signed links are the credential of attendees and calendar apps without an account.
PUBLIC = {"meetings:reply_token", "meetings:ical"}
# POST-only actions a county reviewer may take: on their own account, not on business records,
# and asking a committee for its missing year-end report (a notice, no record changes; issue #15).
COUNTY_MAY_POST = {"meetings:calendar_feed_rotate", "accounts:otp_codes", "yearend:ask"}

REFUSALS = {403, 404, 405}


class Writes:
    """Collects the tables a request writes (``connection.execute_wrapper``)."""

    def __init__(self):
        self.tables = []

    def __call__(self, execute, sql, params, many, context):
        match = WRITE.match(sql)
        if match and not MAY_WRITE.match(match.group(2)):
            self.tables.append(match.group(2))
        return execute(sql, params, many, context)


def _client(user) -> tuple[Client, str]:
    """A client of ``user`` (None: anonymous) with the CSRF token of its own session."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
        client.get("/accounts/password/")
    else:
        client.get("/accounts/login/")
    return client, client.cookies["csrftoken"].value


def _refused_for(name: str, role: str) -> bool:
    _build, expected, _places, _kept = _entry(name)
    if name in PUBLIC:
        return False
    if set(expected.values()) == {405}:  # POST-only action
        if role == "anonymous":
            return True
        return role == "county" and name not in COUNTY_MAY_POST
    return expected[role] in (403, 404) or (role == "anonymous" and expected[role] == 302)


def _post_each(role, names, world, users, where, *, client=None, token="") -> tuple[int, list[str]]:
    """POST to each URL (built in ``where``) as ``role``; the refusals that were not (not checked
    for an officer: only that nothing is written), and the writes."""
    if client is None:
        client, token = _client(users.get(role))
    problems = []
    tried = 0
    for name in names:
        savepoint = transaction.savepoint()
        try:
            url = _url(name, _entry(name)[0](b.Place(world, users, where)))
            writes = Writes()
            with connection.execute_wrapper(writes):
                response = client.post(url, {"csrfmiddlewaretoken": token}, HTTP_X_CSRFTOKEN=token)
        except Exception as exc:  # noqa: BLE001 - a builder that fails is reported with the rest
            problems.append(f"{name}: {type(exc).__name__}: {exc}")
            continue
        finally:
            transaction.savepoint_rollback(savepoint)
        tried += 1
        status = response.status_code
        to_login = status == 302 and response["Location"].startswith("/accounts/login/")
        if role != "officer" and not (status in REFUSALS or (role == "anonymous" and to_login)):
            problems.append(f"{name} {url}: {status}")
        if writes.tables:
            problems.append(f"{name} {url}: wrote {sorted(set(writes.tables))}")
    return tried, problems


@pytest.fixture
def users(township_user, secretary_user, liaison_user, county_user, admin_user):
    return dict(zip(ROLES, (township_user, secretary_user, liaison_user, county_user, admin_user), strict=True))


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_refused_posts_change_nothing(role, world, users):
    """Each URL's objects are built inside a savepoint that is rolled back afterwards, so every URL
    starts from the same world (built once for the role) whatever the builders make."""
    names = [name for name in sorted(MATRIX) if _refused_for(name, role)]
    tried, problems = _post_each(role, names, world, users, "mine")
    assert tried >= 10
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["township", "secretary", "liaison", "county"])
def test_post_only_actions_on_another_countys_objects_are_refused(role, world, users):
    """The POST-only actions (no GET decision in the matrix) on an object of another county:
    outside every role's scope but the administrator's, so refused, and nothing written."""
    names = [n for n in sorted(MATRIX) if set(_entry(n)[1].values()) == {405} and n not in COUNTY_MAY_POST]
    tried, problems = _post_each(role, names, world, users, "foreign")
    assert tried >= 10
    assert not problems, "\n".join(problems)


# The officers' own pages and their own account's pages (the second factor, the calendar feed).
OFFICER_OWN = {"accounts:", "audit:", "meetings:calendar_feed"}


@pytest.mark.django_db
@pytest.mark.parametrize("officer", ["sysadmin", "secadmin", "auditor"])
def test_officers_change_no_business_record(officer, world, users):
    """三员 (issue #14 item 7) change no business record: a POST to any business URL writes nothing
    (lists answer a POST like a GET, and theirs are empty; see tests/accounts/test_officers.py)."""
    from tests.accounts.conftest import verified_client
    from tests.factories import UserFactory

    user = UserFactory(username=officer, role=officer)
    client = verified_client(user, enforce_csrf_checks=True)
    client.get("/accounts/password/")
    token = client.cookies["csrftoken"].value
    names = [n for n in sorted(MATRIX) if n not in PUBLIC and not any(n.startswith(o) for o in OFFICER_OWN)]
    tried, problems = _post_each("officer", names, world, users, "mine", client=client, token=token)
    assert len(names) > 200
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_a_post_without_the_csrf_token_is_refused(world, users):
    place = b.Place(world, users)
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["admin"])
    url = _url("meetings:meeting_publish", _entry("meetings:meeting_publish")[0](place))
    writes = Writes()
    with connection.execute_wrapper(writes):
        assert client.post(url).status_code == 403
    assert writes.tables == []
