"""The permission matrix (issue #2 §10): every URL of the project, with every role.

Each named URL is listed in ``MATRIX`` with how to build its arguments (objects of the township
staff's / secretary's / liaison's own scope, see ``tests.matrix_builders``) and the status a GET
gets for each role and for an anonymous visitor. A URL that is not listed fails
``test_every_url_is_in_the_matrix``, so a new page cannot ship without a decision on who may see
it. A URL that takes an object lists the other *places* its builder is run in again, where the
roles outside the object's scope must get a 404 (``test_objects_out_of_scope_are_404``).

Statuses: 200 page, 302 redirect, 403 visible but not changeable, 404 outside the scope,
405 POST-only (a GET never changes data).
"""

import importlib
import pkgutil
from urllib.parse import urlencode

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import matrix as matrix_tables
from tests import matrix_builders as b
from tests.matrix import (  # noqa: F401 - the table below reads them
    CHANGE,
    COMMUNITY_SIDE,
    COUNTY,
    EVERYONE,
    OTHER,
    OUTSIDE,
    OWN,
    OWN_REFUSED,
    POST_ONLY,
    POST_ONLY_AFTER_LOGIN,
    READ_ALL,
    REDIRECTS,
    ROLES,
    UNIT,
    UNIT_CHANGE,
    S,
    committee_pk,
    community,
    held_pk,
    in_committee,
    nothing,
    pk,
    year_pk,
)
from tests.matrix_builders import Place

# URLs outside the matrix on purpose: Django admin (superuser only, its own checks), auth pages.
EXEMPT_NAMESPACES = {"admin"}
EXEMPT = {
    "accounts:login",
    "accounts:logout",
    "accounts:password_change",
    "accounts:password_change_done",
}


def _all_url_names(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace
            if ns in EXEMPT_NAMESPACES:
                continue
            yield from _all_url_names(p, f"{prefix}{ns}:" if ns else prefix)
        elif isinstance(p, URLPattern) and p.name:
            yield prefix + p.name


MATRIX = {
    "home": (nothing, REDIRECTS),
    # --- committees: committees, townships ---------------------------------------------------
    "committees:committee_list": (nothing, EVERYONE),
    # R1: the township forms committees (a secretary may not), nobody else
    "committees:committee_create": (nothing, S(200, 403, 403, 403, 200)),
    "committees:committee_detail": (committee_pk, READ_ALL, OTHER),
    "committees:committee_update": (committee_pk, CHANGE, OTHER),
    "committees:township_detail": (lambda p: {"pk": p.township.pk}, S(200, 404, 404, 200, 200), OTHER),
    # --- committees: the unit ledger ------------------------------------------------------------
    "committees:unit_list": (nothing, EVERYONE),
    "committees:unit_export": (nothing, EVERYONE),
    "committees:unit_detail": (lambda p: {"pk": p.unit.pk}, EVERYONE, UNIT),
    # the liaison sees their unit's ledger entry but the community keeps it
    "committees:unit_update": (lambda p: {"pk": p.unit.pk}, COMMUNITY_SIDE, UNIT),
    "committees:unit_deactivate": (lambda p: {"pk": p.unit.pk}, POST_ONLY),
    "committees:unit_reactivate": (lambda p: {"pk": p.unit.pk}, POST_ONLY),
    "committees:unit_create": (community, CHANGE, OTHER),
    "committees:unit_import": (community, CHANGE, OTHER),
    "committees:unit_import_template": (community, CHANGE, OTHER),
    # --- committees: grids and building groups ---------------------------------------------------
    "committees:grid_list": (community, READ_ALL, OTHER),
    "committees:grid_create": (community, CHANGE, OTHER),
    "committees:grid_update": (pk(b.grid), CHANGE, OTHER),
    "committees:building_group_create": (lambda p: {"grid_id": b.grid(p).pk}, CHANGE, OTHER),
    "committees:building_group_update": (pk(b.building_group), CHANGE, OTHER),
    # --- committees: posts, vacancies, rotation ---------------------------------------------------
    "committees:post_nominate": (committee_pk, CHANGE, OTHER),
    "committees:vacancy_create": (committee_pk, CHANGE, OTHER),
    "committees:post_detail": (pk(b.post), READ_ALL, OTHER),
    "committees:post_approval_create": (pk(b.post), POST_ONLY),
    "committees:post_end": (pk(b.post), CHANGE, OTHER),
    "committees:post_phone_update": (pk(b.post), CHANGE, OTHER),
    "committees:rotation_detail": (committee_pk, READ_ALL, OTHER),
    "committees:rotation_generate": (committee_pk, CHANGE, OTHER),
    "committees:rotation_approve": (committee_pk, POST_ONLY),
    "committees:rotation_term_update": (pk(b.rotation_term), CHANGE, OTHER),
    "committees:rotation_swap": (pk(b.rotation_term), POST_ONLY),
    # --- meetings: meetings, agenda, attendees ----------------------------------------------------
    "meetings:meeting_list": (nothing, EVERYONE),
    "meetings:meeting_compliance": (nothing, EVERYONE),
    "meetings:meeting_create": (lambda p: {"committee_pk": p.committee.pk}, CHANGE, OTHER),
    "meetings:meeting_detail": (pk(b.meeting), READ_ALL, OTHER),
    "meetings:meeting_agenda_print": (pk(b.meeting), READ_ALL, OTHER),
    "meetings:meeting_update": (pk(b.meeting), CHANGE, OTHER),
    "meetings:meeting_publish": (pk(b.meeting), POST_ONLY),
    "meetings:meeting_mark_held": (pk(b.meeting), POST_ONLY),
    "meetings:meeting_cancel": (pk(b.meeting), CHANGE, OTHER),
    "meetings:agenda_item_create": (pk(b.meeting), CHANGE, OTHER),
    "meetings:agenda_item_update": (pk(b.agenda_item), CHANGE, OTHER),
    "meetings:agenda_item_delete": (pk(b.agenda_item), POST_ONLY),
    "meetings:attachment_upload": (pk(b.agenda_item), POST_ONLY),
    "meetings:attachment_download": (pk(b.attachment), READ_ALL, OTHER),
    "meetings:attachment_delete": (pk(b.attachment), POST_ONLY),
    "meetings:attendee_create": (pk(b.meeting), CHANGE, OTHER),
    "meetings:attendee_invite_members": (pk(b.meeting), POST_ONLY),
    "meetings:attendee_delete": (lambda p: {"pk": b.held(p).members[0].pk}, POST_ONLY),
    # --- meetings: replies, calendar ----------------------------------------------------------------
    # only an attendee with their own account replies here (the liaison, invited by topic)
    "meetings:reply": (lambda p: {"pk": b.invited(p).meeting.pk}, S(404, 404, 200, 404, 404), UNIT),
    # the signed link is the credential of an attendee without an account: no log-in
    "meetings:reply_token": (lambda p: {"token": b.reply_token(p)}, S(200, 200, 200, 200, 200, anonymous=200)),
    "meetings:calendar": (lambda p: {"committee_pk": p.committee.pk}, READ_ALL, OTHER),
    "meetings:calendar_feed": (nothing, EVERYONE),
    "meetings:calendar_feed_rotate": (nothing, POST_ONLY),
    # the secret token is the credential of a calendar app: no log-in
    "meetings:ical": (lambda p: {"token": b.calendar_token(p)}, S(200, 200, 200, 200, 200, anonymous=200)),
    # --- meetings: the session, votes ----------------------------------------------------------------
    "meetings:attendance": (held_pk, READ_ALL, OTHER),
    "meetings:attendance_all_present": (held_pk, POST_ONLY),
    "meetings:motion_create": (held_pk, CHANGE, OTHER),
    # administrators see every motion (today a 404: the attendee filter drops their empty scope)
    "meetings:motion_detail": (pk(b.motion), READ_ALL, OTHER),
    "meetings:motion_update": (pk(b.motion), CHANGE, OTHER),
    "meetings:motion_delete": (pk(b.motion), POST_ONLY),
    "meetings:motion_open": (pk(b.motion), POST_ONLY),
    "meetings:motion_close": (pk(b.motion), POST_ONLY),
    "meetings:motion_publish": (pk(b.motion), POST_ONLY),
    "meetings:vote_hands": (pk(b.motion), POST_ONLY),
    # a member votes on their own device (the invited liaison); in scope but not on the list: 403
    "meetings:vote_cast": (pk(b.invited_motion), S(403, 403, 200, 403, 403), UNIT),
    # --- meetings: record, minutes, resolutions ----------------------------------------------------------
    "meetings:record_edit": (held_pk, CHANGE, OTHER),
    "meetings:record_pdf": (held_pk, READ_ALL, OTHER),
    "meetings:minutes_create": (held_pk, POST_ONLY),
    "meetings:minutes_archive": (nothing, EVERYONE),
    "meetings:minutes_detail": (pk(b.minutes), READ_ALL, OTHER),
    "meetings:minutes_edit": (pk(b.minutes), CHANGE, OTHER),
    "meetings:minutes_refill": (pk(b.minutes), POST_ONLY),
    "meetings:minutes_circulate": (pk(b.minutes), POST_ONLY),
    "meetings:minutes_approve": (pk(b.minutes), CHANGE, OTHER),
    "meetings:minutes_lock": (pk(b.minutes), POST_ONLY),
    "meetings:minutes_correction_add": (pk(b.minutes), POST_ONLY),
    "meetings:minutes_amend": (pk(b.minutes), CHANGE, OTHER),
    "meetings:minutes_pdf": (pk(b.minutes), READ_ALL, OTHER),
    "meetings:resolution_create": (held_pk, CHANGE, OTHER),
    "meetings:resolution_update": (pk(b.resolution), CHANGE, OTHER),
    # --- meetings: follow-up tasks (the responsible unit's liaison sees and reports on them) ------------
    "meetings:task_list": (nothing, EVERYONE),
    "meetings:task_create": (pk(b.resolution), CHANGE, OTHER),
    "meetings:task_detail": (pk(b.task), EVERYONE, UNIT),
    "meetings:task_update": (pk(b.task), COMMUNITY_SIDE, UNIT),
    "meetings:task_progress": (pk(b.task), POST_ONLY),
    "meetings:task_close": (pk(b.task), POST_ONLY),
    "meetings:task_reopen": (pk(b.task), POST_ONLY),
    # --- inbox: one's own messages only (the message is the liaison's) ------------------------------------
    "inbox:list": (nothing, EVERYONE),
    "inbox:detail": (pk(b.message), S(404, 404, 200, 404, 404)),
    # --- co-building: workspace and overview --------------------------------------------------------------
    "cobuilding:workspace": (nothing, S(302, 302, 200, 302, 302)),
    "cobuilding:overview": (in_committee, S(200, 200, 302, 200, 200), OTHER, OWN),
    "cobuilding:overview_export": (in_committee, S(200, 200, 302, 200, 200), OTHER, OWN),
    "cobuilding:unit_cobuilding": (lambda p: {"pk": p.unit.pk}, EVERYONE, UNIT),
    # --- co-building: pledges and fulfilment (R17) ------------------------------------------------------
    "cobuilding:pledge_list": (in_committee, EVERYONE, OTHER, OWN),
    "cobuilding:pledge_create": (in_committee, UNIT_CHANGE, OTHER, OWN_REFUSED),
    "cobuilding:pledge_detail": (pk(b.draft_pledge), EVERYONE, UNIT),
    "cobuilding:pledge_update": (pk(b.draft_pledge), UNIT_CHANGE, UNIT),
    "cobuilding:pledge_submit": (pk(b.draft_pledge), POST_ONLY),
    "cobuilding:pledge_accept": (pk(b.submitted_pledge), POST_ONLY),
    "cobuilding:pledge_link_resolution": (pk(b.accepted_pledge), POST_ONLY),
    "cobuilding:pledge_return": (pk(b.submitted_pledge), COMMUNITY_SIDE, UNIT),
    "cobuilding:fulfilment_create": (pk(b.accepted_pledge), UNIT_CHANGE, UNIT),
    "cobuilding:pledge_call_open": (in_committee, COMMUNITY_SIDE, OTHER, OWN_REFUSED),
    "cobuilding:fulfilment_confirm": (pk(b.fulfilment), POST_ONLY),
    "cobuilding:fulfilment_return": (pk(b.fulfilment), COMMUNITY_SIDE, UNIT),
    "cobuilding:photo_file": (pk(b.photo), EVERYONE, UNIT),
    # --- co-building: agreements (R15, R16) ---------------------------------------------------------------
    "cobuilding:agreement_list": (in_committee, EVERYONE, OTHER, OWN),
    "cobuilding:agreement_create": (in_committee, COMMUNITY_SIDE, OTHER, OWN_REFUSED),
    "cobuilding:agreement_detail": (pk(b.draft_agreement), EVERYONE, UNIT),
    "cobuilding:agreement_update": (pk(b.draft_agreement), COMMUNITY_SIDE, UNIT),
    "cobuilding:agreement_send": (pk(b.draft_agreement), POST_ONLY),
    # the unit's liaison uploads the signed scan
    "cobuilding:agreement_sign": (pk(b.signed_agreement), UNIT_CHANGE, UNIT),
    "cobuilding:agreement_renew": (pk(b.signed_agreement), POST_ONLY),
    "cobuilding:agreement_scan": (pk(b.signed_agreement), EVERYONE, UNIT),
    # an earlier scan from the history (today a 500: the history keeps the file's name as text)
    "cobuilding:agreement_scan_version": (
        lambda p: {"pk": b.signed_agreement(p).pk, "history_id": b.scan_history_id(p)},
        EVERYONE,
        UNIT,
    ),
    # --- co-building: public-benefit projects (R17; a liaison sees their community's projects) -----------
    "cobuilding:project_list": (in_committee, EVERYONE, OTHER, OWN),
    "cobuilding:project_create": (in_committee, COMMUNITY_SIDE, OTHER, OWN_REFUSED),
    "cobuilding:project_detail": (pk(b.project), EVERYONE, OTHER),
    "cobuilding:project_claim": (pk(b.project), POST_ONLY),
    "cobuilding:project_close": (pk(b.project), POST_ONLY),
    "cobuilding:claim_detail": (pk(b.claim), EVERYONE, UNIT),
    "cobuilding:claim_report": (pk(b.claim), UNIT_CHANGE, UNIT),
    "cobuilding:claim_confirm": (pk(b.claim), POST_ONLY),
    "cobuilding:evidence_file": (pk(b.project_update), EVERYONE, UNIT),
    # --- co-building: dedication days (R18; a liaison sees their community's days) --------------------------
    "cobuilding:dedication_list": (in_committee, EVERYONE, OTHER, OWN),
    "cobuilding:dedication_create": (in_committee, COMMUNITY_SIDE, OTHER, OWN_REFUSED),
    "cobuilding:dedication_detail": (pk(b.dedication_day), EVERYONE, OTHER),
    "cobuilding:participation_record": (pk(b.dedication_day), UNIT_CHANGE, OTHER),
    "cobuilding:roster_file": (pk(b.participation), EVERYONE, UNIT),
    # --- co-building: in-service members (R20), two-way commitments (R19) -----------------------------------
    "cobuilding:member_list": (in_committee, EVERYONE, OTHER, OWN),
    "cobuilding:member_create": (in_committee, UNIT_CHANGE, OTHER, OWN_REFUSED),
    "cobuilding:member_detail": (pk(b.member), EVERYONE, UNIT),
    "cobuilding:member_service_add": (pk(b.member), UNIT_CHANGE, UNIT),
    "cobuilding:commitment_list": (in_committee, EVERYONE, OTHER, OWN),
    "cobuilding:commitment_create": (in_committee, UNIT_CHANGE, OTHER, OWN_REFUSED),
    # a status change is a POST; a GET must not answer with a redirect (it does today)
    "cobuilding:commitment_status": (pk(b.commitment), POST_ONLY),
    # --- funding: landing, years, ledger ------------------------------------------------------------------
    "funding:home": (nothing, REDIRECTS),
    "funding:committee_money": (committee_pk, READ_ALL, OTHER),
    "funding:year_open": (committee_pk, POST_ONLY_AFTER_LOGIN),
    "funding:year_detail": (year_pk, READ_ALL, OTHER),
    "funding:year_close": (year_pk, CHANGE, OTHER),
    "funding:ledger": (year_pk, READ_ALL, OTHER),
    "funding:ledger_xlsx": (year_pk, READ_ALL, OTHER),
    "funding:shares_xlsx": (year_pk, READ_ALL, OTHER),
    "funding:income_create": (year_pk, CHANGE, OTHER),
    "funding:income_update": (pk(b.income), CHANGE, OTHER),
    "funding:expense_create": (year_pk, CHANGE, OTHER),
    "funding:expense_update": (pk(b.expense), CHANGE, OTHER),
    "funding:receipt_file": (pk(b.receipt), READ_ALL, OTHER),
    "funding:budget": (year_pk, READ_ALL, OTHER),
    "funding:budget_adopt": (year_pk, POST_ONLY_AFTER_LOGIN),
    "funding:budget_line_delete": (pk(b.budget_line), POST_ONLY_AFTER_LOGIN),
    # --- funding: share plans ----------------------------------------------------------------------------
    "funding:share_plan_create": (year_pk, CHANGE, OTHER),
    "funding:share_plan_detail": (pk(b.share_plan), READ_ALL, OTHER),
    "funding:share_plan_update": (pk(b.share_plan), CHANGE, OTHER),
    "funding:share_plan_link": (pk(b.share_plan), POST_ONLY_AFTER_LOGIN),
    "funding:share_plan_activate": (pk(b.share_plan), POST_ONLY_AFTER_LOGIN),
    "funding:share_plan_revise": (pk(b.share_plan), POST_ONLY_AFTER_LOGIN),
    # --- funding: arrears, payments (a liaison sees their own unit's), townships ------------------------
    "funding:arrears": (year_pk, READ_ALL, OTHER),
    "funding:arrears_remind": (year_pk, POST_ONLY_AFTER_LOGIN),
    "funding:payment_create": (year_pk, CHANGE, OTHER),
    "funding:payment_detail": (pk(b.payment), EVERYONE, UNIT),
    "funding:payment_refund": (pk(b.payment), COMMUNITY_SIDE, UNIT),
    "funding:payment_receipt_pdf": (pk(b.payment), EVERYONE, UNIT),
    "funding:unit_dues": (lambda p: {"pk": p.unit.pk}, EVERYONE, UNIT),
    # the county's list of townships; township staff land on their own township's page
    "funding:township_list": (nothing, S(404, 404, 404, 200, 200)),
    "funding:township_overview": (lambda p: {"pk": p.township.pk}, S(200, 404, 404, 200, 200), OTHER),
    # --- assessment: R21 schemes, county-wide; only the administrator edits; secretaries and liaisons
    # read published schemes only (a draft is a 404 for them); another county's scheme is a 404
    "assessment:scheme_list": (nothing, EVERYONE),
    "assessment:scheme_create": (nothing, S(403, 403, 403, 403, 200)),
    "assessment:scheme_detail": (pk(b.published_scheme), EVERYONE, COUNTY),
    "assessment:scheme_update": (pk(b.draft_scheme), S(403, 404, 404, 403, 200), COUNTY),
    "assessment:scheme_publish": (pk(b.draft_scheme), POST_ONLY_AFTER_LOGIN),
    "assessment:scheme_new_version": (pk(b.published_scheme), POST_ONLY_AFTER_LOGIN),
    "assessment:indicator_create": (pk(b.draft_sheet), S(403, 404, 404, 403, 200), COUNTY),
    "assessment:indicator_update": (pk(b.draft_indicator), S(403, 404, 404, 403, 200), COUNTY),
}

# The apps' own tables (tests/matrix/<app>.py).
for _module in pkgutil.iter_modules(matrix_tables.__path__):
    MATRIX.update(importlib.import_module(f"tests.matrix.{_module.name}").MATRIX)


def _entry(name):
    build, expected, places, kept = (*MATRIX[name], (), ())[:4]
    return build, expected, places, kept


def _url(name, kwargs) -> str:
    query = kwargs.pop("?", None)
    url = reverse(name, kwargs=kwargs)
    return f"{url}?{urlencode(query)}" if query else url


def _statuses(client, url, users) -> dict:
    got = {}
    for role, user in users.items():
        if user is None:
            client.logout()
        else:
            client.force_login(user)
        got[role] = client.get(url).status_code
    return got


@pytest.fixture
def users(township_user, secretary_user, liaison_user, county_user, admin_user):
    return dict(zip(ROLES, (township_user, secretary_user, liaison_user, county_user, admin_user), strict=True))


def test_every_url_is_in_the_matrix():
    names = set(_all_url_names()) - EXEMPT
    missing = sorted(names - MATRIX.keys())
    assert not missing, f"URLs without a permission decision: {missing}"
    stale = sorted(MATRIX.keys() - names)
    assert not stale, f"URLs in the matrix that no longer exist: {stale}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_the_expected_status(name, world, users, client):
    build, expected, _places, _kept = _entry(name)
    url = _url(name, build(Place(world, users)))
    got = _statuses(client, url, {**users, "anonymous": None})
    assert got == expected, f"{name} {url}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(n for n in MATRIX if _entry(n)[2]))
def test_objects_out_of_scope_are_404(name, world, users, client):
    """The same URL with an object of another unit, township or county: 404 for whoever it is
    outside of; everyone else as in the matrix (so the object really exists)."""
    build, expected, places, kept = _entry(name)
    for where in places:
        url = _url(name, build(Place(world, users, where)))
        want = {role: 404 if role in OUTSIDE[where] and role not in kept else expected[role] for role in ROLES}
        got = _statuses(client, url, users)
        assert got == want, f"{name} {url} ({where})"
