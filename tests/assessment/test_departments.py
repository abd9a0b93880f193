"""R21 functional departments (职能部门): the county keeps the list of departments that carry
community-building duties (who keeps the schemes keeps it: the administrator); the county's
reviewers, township staff and secretaries read it; another county's list stays out of sight."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assessment import departments
from assessment.models import FunctionalDepartment
from tests.factories import CountyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def minzheng(admin_user, world):
    return departments.department_create(
        actor=admin_user, county=world.county, name="县民政局", duties="指导社区居委会建设", order=1
    )


def test_r21_admin_keeps_the_county_department_list_with_history(admin_user, world, minzheng):
    zhujian = departments.department_create(
        actor=admin_user, county=world.county, name="  县住建局 ", duties="老旧小区改造", order=2
    )
    assert zhujian.name == "县住建局"
    departments.department_update(actor=admin_user, department=minzheng, duties="社区治理与服务", is_active=False)
    minzheng.refresh_from_db()
    assert (minzheng.duties, minzheng.is_active) == ("社区治理与服务", False)
    history = list(minzheng.history.order_by("history_date"))
    assert [h.history_user for h in history] == [admin_user, admin_user]
    assert history[-1].history_change_reason == "修改职能部门"


def test_r21_a_county_holds_one_department_of_a_name(admin_user, world, minzheng):
    with pytest.raises(ValidationError) as error:
        departments.department_create(actor=admin_user, county=world.county, name="县民政局", duties="重复")
    assert "本县（区）已有同名职能部门。" in error.value.messages
    other = departments.department_create(actor=admin_user, county=world.county, name="县住建局", duties="住建")
    with pytest.raises(ValidationError):
        departments.department_update(actor=admin_user, department=other, name="县民政局")
    assert FunctionalDepartment.objects.filter(county=world.county).count() == 2
    assert FunctionalDepartment.objects.get(pk=other.pk).name == "县住建局"
    # the same name in another county is another department
    departments.department_create(actor=admin_user, county=CountyFactory(name="第二县"), name="县民政局", duties="民政")


def test_r21_a_department_needs_a_name_and_its_duties(admin_user, world, minzheng):
    with pytest.raises(ValidationError) as error:
        departments.department_update(actor=admin_user, department=minzheng, duties="  ")
    assert "请填写该部门承担的社区建设职责。" in error.value.messages
    assert FunctionalDepartment.objects.get(pk=minzheng.pk).duties == "指导社区居委会建设"


@pytest.mark.parametrize("role", ["county_user", "township_user", "secretary_user", "liaison_user"])
def test_r21_only_the_scheme_keeper_changes_the_department_list(request, role, world, minzheng):
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        departments.department_create(actor=user, county=world.county, name="县卫健局", duties="健康")
    with pytest.raises(PermissionDenied):
        departments.department_update(actor=user, department=minzheng, name="改名")
    assert list(FunctionalDepartment.objects.values_list("name", flat=True)) == ["县民政局"]


@pytest.mark.parametrize("role", ["county_user", "township_user", "secretary_user"])
def test_r21_the_county_reads_its_department_list_in_fixed_queries(
    request, login, role, admin_user, world, minzheng, django_assert_max_num_queries
):
    foreign = departments.department_create(
        actor=admin_user, county=CountyFactory(name="第二县"), name="县教育局", duties="教育"
    )
    for n in range(10):
        departments.department_create(actor=admin_user, county=world.county, name=f"县第{n}局", duties="职责")
    client = login(request.getfixturevalue(role))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("assessment:department_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "县民政局" in html and "指导社区居委会建设" in html and "县第9局" in html
    assert "县教育局" not in html
    assert "新增职能部门" not in html
    assert client.get(reverse("assessment:department_update", args=[minzheng.pk])).status_code == 403
    assert client.get(reverse("assessment:department_update", args=[foreign.pk])).status_code == 404


def test_r21_liaisons_have_no_department_list(login, liaison_user, minzheng):
    client = login(liaison_user)
    assert client.get(reverse("assessment:department_list")).status_code == 403
    assert client.get(reverse("assessment:department_update", args=[minzheng.pk])).status_code == 404


def test_r21_admin_adds_and_edits_departments_through_the_pages(login, admin_user, world, minzheng):
    client = login(admin_user)
    response = client.post(
        reverse("assessment:department_create"),
        {"county": world.county.pk, "name": "县住建局", "duties": "老旧小区改造", "order": "2", "is_active": "on"},
    )
    assert response.status_code == 302
    assert FunctionalDepartment.objects.get(name="县住建局").is_active is True
    # a duplicate name: the message on the page, nothing saved
    response = client.post(
        reverse("assessment:department_create"), {"county": world.county.pk, "name": "县民政局", "duties": "又一个"}
    )
    assert response.status_code == 200
    assert "本县（区）已有同名职能部门。" in response.content.decode()
    assert FunctionalDepartment.objects.filter(name="县民政局").count() == 1
    url = reverse("assessment:department_update", args=[minzheng.pk])
    staff = UserFactory(username="mz", role="county", county=world.county)
    response = client.post(url, {"name": "县民政局", "duties": "社区治理", "order": "1", "members": [staff.pk]})
    assert response.status_code == 302
    minzheng.refresh_from_db()
    assert (minzheng.duties, minzheng.is_active) == ("社区治理", False)
    assert list(minzheng.members.all()) == [staff]
    page = client.get(url).content.decode()
    assert "修改职能部门" in page and "社区治理" in page
