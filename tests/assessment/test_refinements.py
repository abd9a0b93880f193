"""R21 "a scheme per year and county (township schemes may refine it)": a township's refinement
of a published county scheme — what it may change, the publication checks, who sees and edits
it, and which sheet a round's tasks are scored on."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from assessment import scoring, services
from assessment.models import Indicator, Scheme, ScoringTask
from tests.factories import UserFactory

from .scoring_factories import county_scorer, full_marks, published_scheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_scheme(admin_user, world):
    return published_scheme(admin_user, world.county)


@pytest.fixture
def refinement(township_user, county_scheme, world):
    return services.scheme_refine(actor=township_user, scheme=county_scheme, township=world.township)


def _item(scheme, title) -> Indicator:
    return Indicator.objects.get(sheet__scheme=scheme, title=title)


def _split(actor, scheme, title="参加会议", parts=(("参加季度会议", "25"), ("参加专题会议", "15"))):
    leaf = _item(scheme, title)
    group = services.indicator_update(actor=actor, indicator=leaf, kind="group")
    for sub_title, points in parts:
        services.indicator_create(
            actor=actor, sheet=leaf.sheet, parent=group, title=sub_title, max_points=Decimal(points)
        )
    return group


def test_refine_copies_the_county_tree_linked_to_its_items(refinement, county_scheme, world, township_user, admin_user):
    assert (refinement.township, refinement.based_on, refinement.status) == (world.township, county_scheme, "draft")
    assert (refinement.year, refinement.weight, refinement.grade_bands) == (
        county_scheme.year,
        county_scheme.weight,
        county_scheme.grade_bands,
    )
    county = {i.pk: i.title for i in Indicator.objects.filter(sheet__scheme=county_scheme)}
    mine = list(Indicator.objects.filter(sheet__scheme=refinement))
    assert sorted(county.values()) == sorted(i.title for i in mine)
    assert all(county[i.origin_id] == i.title for i in mine)
    assert refinement.history.get().history_user == township_user
    # a second refinement of the same township is its next version; county versions are unaffected
    again = services.scheme_refine(actor=township_user, scheme=county_scheme, township=world.township)
    assert again.version == refinement.version + 1
    assert services.scheme_new_version(actor=admin_user, scheme=county_scheme).version == 2


def test_r21_refinement_changes_guidance_and_splits_a_leaf_then_publishes(refinement, township_user):
    leaf = _item(refinement, "认领项目")
    services.indicator_update(
        actor=township_user,
        indicator=leaf,
        guidance="按认领项目完成情况计分",
        evidence_required="项目验收单",
        evidence_source="projects_completed",
    )
    _split(township_user, refinement)
    services.indicator_create(
        actor=township_user,
        sheet=leaf.sheet,
        title="本镇特色加分",
        kind="bonus",
        max_points=Decimal("1"),
        limit=Decimal("0"),
    )
    published = services.scheme_publish(actor=township_user, scheme=refinement)
    assert published.is_published
    leaf.refresh_from_db()
    assert (leaf.guidance, leaf.evidence_source) == ("按认领项目完成情况计分", "projects_completed")


def test_r21_refinement_keeps_the_county_points_titles_and_limits(refinement, township_user):
    leaf = _item(refinement, "参加会议")
    for change in ({"max_points": Decimal("50")}, {"title": "改名"}, {"parent": None}):
        with pytest.raises(ValidationError, match="不能修改县级方案指标"):
            services.indicator_update(actor=township_user, indicator=leaf, **change)
    bonus = _item(refinement, "获上级表彰")
    with pytest.raises(ValidationError, match="不能修改县级方案指标"):
        services.indicator_update(actor=township_user, indicator=bonus, limit=Decimal("10"))
    group = _item(refinement, "组织共建")
    with pytest.raises(ValidationError, match="只能拆分"):
        services.indicator_update(actor=township_user, indicator=group, kind="leaf")
    # a new leaf only under a split leaf, never at the top or under a county group
    for parent in (None, group):
        with pytest.raises(ValidationError, match="只能在拆分后的评分项下"):
            services.indicator_create(
                actor=township_user, sheet=leaf.sheet, parent=parent, title="新项", max_points=Decimal("5")
            )
    with pytest.raises(ValidationError, match="折算权重和等次划分沿用县级方案"):
        services.scheme_update(actor=township_user, scheme=refinement, weight=Decimal("0.5"))
    services.scheme_update(actor=township_user, scheme=refinement, title="城关镇细化方案")
    assert Scheme.objects.get(pk=refinement.pk).title == "城关镇细化方案"


def test_r21_publishing_refuses_a_split_that_moves_points_with_clear_messages(refinement, township_user):
    _split(township_user, refinement, parts=(("参加季度会议", "25"), ("参加专题会议", "10")))
    with pytest.raises(ValidationError) as error:
        services.scheme_publish(actor=township_user, scheme=refinement)
    messages = error.value.messages
    assert "“驻区单位共驻共建”评分表各评分项合计 95 分，应恰好为 100 分。" in messages
    assert "“参加会议”拆分后各子项合计 35 分，应等于县级方案中该评分项的 40 分。" in messages
    assert any("“组织共建”（驻区单位共驻共建）在县级方案中为 100 分，细化方案中为 95 分" in m for m in messages)
    assert Scheme.objects.get(pk=refinement.pk).status == "draft"


def test_r21_bonus_limits_stay_within_the_countys(refinement, township_user):
    sheet = _item(refinement, "参加会议").sheet
    services.indicator_create(
        actor=township_user,
        sheet=sheet,
        title="本镇特色加分",
        kind="bonus",
        max_points=Decimal("1"),
        limit=Decimal("2"),
    )
    with pytest.raises(ValidationError) as error:
        services.scheme_publish(actor=township_user, scheme=refinement)
    assert error.value.messages == ["“驻区单位共驻共建”评分表加分项累计上限合计 7 分，超过县级方案的 5 分。"]


def test_only_the_townships_staff_and_the_administrator_edit_a_refinement(
    refinement, county_scheme, world, county_user, secretary_user, admin_user
):
    other_staff = UserFactory(username="hexi", role=User.Role.TOWNSHIP, township=world.other_township)
    leaf = _item(refinement, "参加会议")
    for user in (other_staff, county_user, secretary_user):
        with pytest.raises(PermissionDenied):
            services.indicator_update(actor=user, indicator=leaf, guidance="x")
    with pytest.raises(PermissionDenied):
        services.scheme_refine(actor=other_staff, scheme=county_scheme, township=world.township)
    with pytest.raises(PermissionDenied):
        services.scheme_refine(actor=county_user, scheme=county_scheme, township=world.township)
    services.indicator_update(actor=admin_user, indicator=leaf, guidance="管理员修改")
    # township staff never edit the county-level scheme
    with pytest.raises(PermissionDenied):
        services.scheme_new_version(actor=other_staff, scheme=county_scheme)


def test_refinement_visibility(login, refinement, township_user, world, county_user, secretary_user, liaison_user):
    url = reverse("assessment:scheme_detail", args=[refinement.pk])
    other_staff = UserFactory(username="hexi", role=User.Role.TOWNSHIP, township=world.other_township)
    other_secretary = UserFactory(username="hexi_sj", role=User.Role.SECRETARY, community=world.other.community)
    assert login(township_user).get(url).status_code == 200
    assert login(county_user).get(url).status_code == 200
    assert login(other_staff).get(url).status_code == 404
    assert login(secretary_user).get(url).status_code == 404  # a draft
    _split(township_user, refinement)
    services.scheme_publish(actor=township_user, scheme=refinement)
    assert login(secretary_user).get(url).status_code == 200
    assert login(liaison_user).get(url).status_code == 200
    assert login(other_secretary).get(url).status_code == 404
    assert login(other_staff).get(url).status_code == 404


def test_refine_and_split_through_the_pages(login, township_user, county_scheme, world):
    client = login(township_user)
    response = client.post(reverse("assessment:scheme_refine", args=[county_scheme.pk]), {"title": ""})
    refinement = Scheme.objects.get(township=world.township)
    assert response.status_code == 302 and response["Location"] == refinement.get_absolute_url()
    assert refinement.title == "双百分考核（城关镇细化）"
    page = client.get(refinement.get_absolute_url()).content.decode()
    assert "城关镇细化方案" in page and "修改名称" in page
    leaf = _item(refinement, "参加会议")
    data = {
        "parent": leaf.parent_id,
        "order": leaf.order,
        "title": leaf.title,
        "kind": "leaf",
        "max_points": "45",
        "guidance": "",
        "evidence_required": "",
        "evidence_source": "",
    }
    response = client.post(reverse("assessment:indicator_update", args=[leaf.pk]), data)
    assert response.status_code == 200 and "不能修改县级方案指标" in response.content.decode()
    response = client.post(
        reverse("assessment:indicator_update", args=[leaf.pk]), {**data, "max_points": "40", "guidance": "每次2分"}
    )
    assert response.status_code == 302
    assert Indicator.objects.get(pk=leaf.pk).guidance == "每次2分"
    # the county scheme's page lists the refinement
    assert "双百分考核（城关镇细化）" in client.get(county_scheme.get_absolute_url()).content.decode()


def test_scheme_list_and_detail_run_a_fixed_number_of_queries(login, admin_user, township_user, world, county_scheme):
    client = login(township_user)
    list_url = reverse("assessment:scheme_list")
    detail_url = reverse("assessment:scheme_detail", args=[county_scheme.pk])
    client.get(list_url)
    counts = []
    for n in (1, 6):
        while Scheme.objects.filter(township=world.township).count() < n:
            services.scheme_refine(actor=township_user, scheme=county_scheme, township=world.township)
        refinement = Scheme.objects.filter(township=world.township).order_by("-version").first()
        per_page = []
        for url in (list_url, detail_url, refinement.get_absolute_url()):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            per_page.append(len(ctx.captured_queries))
        counts.append(per_page)
    assert counts[0] == counts[1], counts


# --- rounds: which sheet a unit is scored on ----------------------------------------------------


def test_r21_units_of_a_township_with_a_published_refinement_get_its_sheet(
    world, admin_user, township_user, county_scheme, refinement, secretary_user
):
    """Decision: a task takes its township's latest published refinement when it is generated;
    a task nobody has started scoring follows a refinement published later; a task being scored
    keeps its sheet."""
    zzb = county_scorer(world)
    rnd = scoring.round_create(
        actor=admin_user,
        scheme=county_scheme,
        title="双百分联合评分",
        self_report_deadline=county_scheme.published_at.date().replace(month=12, day=31),
        county_scorers=[zzb],
    )
    tasks = {t.unit_id: t for t in rnd.tasks.select_related("sheet__scheme")}
    assert {t.sheet.scheme_id for t in tasks.values()} == {county_scheme.pk}  # the refinement is a draft
    started = tasks[world.sibling_unit.pk]
    scoring.scoresheet_save(actor=secretary_user, task=started, scores=full_marks(started))
    _split(township_user, refinement)
    services.scheme_publish(actor=township_user, scheme=refinement)
    mine = ScoringTask.objects.select_related("sheet").get(pk=tasks[world.unit.pk].pk)
    assert (mine.sheet.scheme_id, mine.sheet.kind) == (refinement.pk, "units")
    assert ScoringTask.objects.get(pk=started.pk).sheet.scheme_id == county_scheme.pk  # being scored: stays
    other = ScoringTask.objects.get(round=rnd, unit=world.other_unit)
    assert other.sheet.scheme_id == county_scheme.pk  # another township
    # the scoring form scores the split sub-items
    titles = {i.title for i in scoring.scored_indicators(mine)}
    assert {"参加季度会议", "参加专题会议"} <= titles and "参加会议" not in titles
    scoring.scoresheet_save(actor=secretary_user, task=mine, scores=full_marks(mine), submit=True)
    assert mine.scoresheets.get().total == Decimal("100")
    # a unit added later in the township is generated on the refinement
    from tests.factories import UnitFactory

    late = UnitFactory(community=world.mine.community, name="新入驻单位")
    scoring.round_tasks_generate(actor=admin_user, round=rnd)
    assert ScoringTask.objects.get(round=rnd, unit=late).sheet.scheme_id == refinement.pk


def test_a_round_is_never_on_a_refinement(admin_user, township_user, refinement):
    _split(township_user, refinement)
    refinement = services.scheme_publish(actor=township_user, scheme=refinement)
    with pytest.raises(ValidationError, match="县级考核方案"):
        scoring.round_create(
            actor=admin_user, scheme=refinement, title="x", self_report_deadline=refinement.published_at.date()
        )
