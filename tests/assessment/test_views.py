"""R21 scheme pages per role: county-wide reading, drafts hidden from secretaries and liaisons,
another county's scheme a 404, only the administrator changes anything (403 for reviewers)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import services
from assessment.models import Indicator, Scheme
from tests.factories import CountyFactory

from .factories import scheme_with_sheets

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(admin_user, world):
    return scheme_with_sheets(admin_user, world.county)


@pytest.fixture
def published(admin_user, world):
    return services.scheme_publish(actor=admin_user, scheme=scheme_with_sheets(admin_user, world.county, year=2025))


@pytest.fixture
def foreign(admin_user):
    scheme = scheme_with_sheets(admin_user, CountyFactory(name="第二县"))
    return services.scheme_publish(actor=admin_user, scheme=scheme)


def detail(scheme):
    return reverse("assessment:scheme_detail", args=[scheme.pk])


@pytest.mark.parametrize("role", ["county_user", "township_user"])
def test_r21_reviewers_read_drafts_and_published_of_their_county(request, login, role, draft, published, foreign):
    client = login(request.getfixturevalue(role))
    assert client.get(detail(draft)).status_code == 200
    assert client.get(detail(published)).status_code == 200
    assert client.get(detail(foreign)).status_code == 404
    listed = list(client.get(reverse("assessment:scheme_list")).context["schemes"])
    assert set(listed) == {draft, published}


@pytest.mark.parametrize("role", ["secretary_user", "liaison_user"])
def test_r21_units_read_only_published_schemes_of_their_county(request, login, role, draft, published, foreign):
    client = login(request.getfixturevalue(role))
    assert client.get(detail(published)).status_code == 200
    assert client.get(detail(draft)).status_code == 404
    assert client.get(detail(foreign)).status_code == 404
    assert list(client.get(reverse("assessment:scheme_list")).context["schemes"]) == [published]


@pytest.mark.parametrize("role", ["county_user", "township_user"])
def test_r21_reviewers_change_nothing(request, login, role, draft):
    client = login(request.getfixturevalue(role))
    sheet = draft.sheets.get(kind="units")
    leaf = Indicator.objects.get(title="参加会议")
    assert client.get(reverse("assessment:scheme_create")).status_code == 403
    assert client.post(reverse("assessment:scheme_publish", args=[draft.pk])).status_code == 403
    assert client.post(reverse("assessment:scheme_new_version", args=[draft.pk])).status_code == 403
    assert client.get(reverse("assessment:indicator_create", args=[sheet.pk])).status_code == 403
    post = {"title": "改", "kind": "leaf", "max_points": "1", "order": "1"}
    assert client.post(reverse("assessment:indicator_update", args=[leaf.pk]), post).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Scheme.Status.DRAFT
    assert Indicator.objects.get(pk=leaf.pk).title == "参加会议"


def test_r21_reviewer_of_another_county_gets_404_before_403(login, draft, world):
    from accounts.models import User
    from tests.factories import UserFactory

    outsider = UserFactory(username="outsider", role=User.Role.COUNTY, county=CountyFactory(name="第二县"))
    client = login(outsider)
    assert client.get(reverse("assessment:indicator_create", args=[draft.sheets.first().pk])).status_code == 404
    assert client.post(reverse("assessment:scheme_publish", args=[draft.pk])).status_code == 404


def test_r21_detail_shows_sums_bands_and_formula(login, admin_user, draft):
    html = login(admin_user).get(detail(draft)).content.decode()
    assert "✔ 评分项合计 100.00 / 100 分" in html
    assert "折算分 = 得分 × 权重 0.2" in html
    assert "例：100 分折算为 20.00 分" in html
    assert "优秀：≥ 95 分" in html
    assert "获上级表彰" in html and "上限 3.00" in html


def test_r21_admin_creates_edits_publishes_and_versions(login, admin_user, world):
    client = login(admin_user)
    response = client.post(
        reverse("assessment:scheme_create"),
        {"county": world.county.pk, "year": "2026", "title": "2026年双百分", "weight": "0.25"},
    )
    scheme = Scheme.objects.get(title="2026年双百分")
    assert response.url == detail(scheme)
    sheets = {s.kind: s for s in scheme.sheets.all()}
    for kind, points in (("units", "99.5"), ("departments", "100")):
        response = client.post(
            reverse("assessment:indicator_create", args=[sheets[kind].pk]),
            {"title": "共建", "kind": "leaf", "max_points": points},
        )
        assert response.status_code == 302
    response = client.post(reverse("assessment:scheme_publish", args=[scheme.pk]), follow=True)
    assert "“驻区单位共驻共建”评分表各评分项合计 99.5 分，应恰好为 100 分。" in response.content.decode()
    leaf = Indicator.objects.get(sheet=sheets["units"])
    client.post(
        reverse("assessment:indicator_update", args=[leaf.pk]),
        {"title": "共建", "kind": "leaf", "max_points": "100", "order": leaf.order},
    )
    client.post(reverse("assessment:scheme_publish", args=[scheme.pk]))
    scheme.refresh_from_db()
    assert scheme.is_published
    # a published scheme's forms send the administrator back with the reason
    response = client.get(reverse("assessment:indicator_update", args=[leaf.pk]))
    assert response.status_code == 302 and response.url == detail(scheme)
    response = client.post(reverse("assessment:scheme_new_version", args=[scheme.pk]))
    copy = Scheme.objects.get(county=world.county, year=2026, version=2)
    assert response.url == detail(copy)
    assert copy.sheets.get(kind="units").indicators.get().max_points == Decimal("100")


def _detail_queries(client, scheme) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(detail(scheme)).status_code == 200
    return len(ctx.captured_queries)


def _scheme_with(admin_user, county, n: int, year: int) -> Scheme:
    scheme = services.scheme_create(actor=admin_user, county=county, year=year, title=f"{n}项")
    sheet = scheme.sheets.get(kind="units")
    group = services.indicator_create(actor=admin_user, sheet=sheet, title="分组", kind="group")
    for i in range(n - 1):
        services.indicator_create(actor=admin_user, sheet=sheet, parent=group, title=f"项{i}", max_points=Decimal("1"))
    return scheme


def test_r21_detail_page_runs_a_fixed_number_of_queries(login, admin_user, world):
    client = login(admin_user)
    small = _scheme_with(admin_user, world.county, 5, 2025)
    large = _scheme_with(admin_user, world.county, 50, 2026)
    _detail_queries(client, small)  # warm up (session, content types)
    assert _detail_queries(client, small) == _detail_queries(client, large)


def test_r21_admin_edits_weight_and_bands_of_a_draft(login, admin_user, draft):
    client = login(admin_user)
    url = reverse("assessment:scheme_update", args=[draft.pk])
    page = client.get(url)
    assert "优秀 95" in page.content.decode()
    response = client.post(url, {"title": "新名称", "weight": "0.3", "grade_bands": "好 90\n中 70\n差"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "新名称"
    assert draft.weight == Decimal("0.3")
    assert draft.grade_bands == [
        {"label": "好", "min": "90"},
        {"label": "中", "min": "70"},
        {"label": "差", "min": None},
    ]


def test_r21_bad_bands_get_a_message_and_change_nothing(login, admin_user, draft):
    client = login(admin_user)
    url = reverse("assessment:scheme_update", args=[draft.pk])
    response = client.post(url, {"title": "新名称", "weight": "0.3", "grade_bands": "好 70\n中 90\n差"})
    assert response.status_code == 200
    assert "等次下限必须从高到低排列" in response.content.decode()
    draft.refresh_from_db()
    assert draft.title != "新名称"


def test_r21_published_scheme_cannot_be_edited(login, admin_user, published):
    client = login(admin_user)
    response = client.post(
        reverse("assessment:scheme_update", args=[published.pk]), {"title": "x", "weight": "1", "grade_bands": "a 1\nb"}
    )
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.title != "x"
