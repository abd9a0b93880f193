"""Issue #15 item 4: a required radio group has no pre-selected "---------" choice, and a form
error (radio groups included) is shown next to its field, what was typed kept."""

import re

import pytest
from django.urls import reverse

from meetings.models import AgendaItem
from tests import matrix_builders as b
from tests.matrix_builders import Place

pytestmark = pytest.mark.django_db


@pytest.fixture
def agenda_url(world, township_user, secretary_user, liaison_user, county_user, admin_user):
    users = {"secretary": secretary_user, "admin": admin_user, "liaison": liaison_user}
    meeting = b.meeting(Place(world, users))
    return reverse("meetings:agenda_item_create", kwargs={"pk": meeting.pk})


def test_required_radio_group_offers_no_blank_choice(client, secretary_user, agenda_url):
    client.force_login(secretary_user)
    response = client.get(agenda_url)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="category"' in html
    assert "---------" not in html
    assert not re.search(r'<input[^>]*name="category"[^>]*checked', html)


def test_radio_group_error_is_shown_next_to_the_group(client, secretary_user, agenda_url):
    client.force_login(secretary_user)
    before = AgendaItem.objects.count()
    response = client.post(agenda_url, {"title": "停车整治", "planned_minutes": "20"})
    html = response.content.decode()
    assert response.status_code == 200
    assert AgendaItem.objects.count() == before
    group = html[html.index('id="div_id_category"') :]
    group = group[: group.index('id="div_id_title"')]
    assert "这个字段是必填项。" in group or "此字段为必填项" in group or "必填" in group
    assert 'value="停车整治"' in html
