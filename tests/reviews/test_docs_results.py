"""The printed results of a member review (R22; issue #16 item 7): ballots issued, returned and
valid per kind of reviewer, beside how many should take part, and the day of the count."""

import datetime

import pytest
from django.urls import reverse

from reviews import documents, services
from reviews.models import Category, Choice
from tests.documents_kit import needs_poppler, pdf_text

from .factories import campaign, part_time_member, vote

pytestmark = pytest.mark.django_db


def test_r22_ballot_counts_online_and_on_paper(world, secretary_user):
    part_time_member(world.mine, name="张委员")
    c = campaign(secretary_user, world.mine, electorate={"party_member": 10, "deputy": 5, "resident": 8})
    vote(c, Category.PARTY_MEMBER, {"张委员": Choice.SATISFIED}, times=3)
    services.codes_generate(actor=secretary_user, campaign=c, category=Category.PARTY_MEMBER, count=2)  # not used
    rows = {r.label: r for r in documents.ballot_counts(campaign=c)}
    assert (rows["党员"].electorate, rows["党员"].issued, rows["党员"].returned, rows["党员"].valid) == (10, 5, 3, 3)
    assert (rows["人大代表"].issued, rows["人大代表"].returned) == (0, 0)


@needs_poppler
def test_r22_results_pdf_states_ballots_and_the_day_of_the_count(login, world, secretary_user):
    part_time_member(world.mine, name="张委员")
    today = datetime.date.today()
    c = campaign(secretary_user, world.mine, closes_on=today)
    vote(c, Category.RESIDENT, {"张委员": Choice.FAIRLY}, times=2)
    services.campaign_close(actor=secretary_user, campaign=c)
    response = login(secretary_user).get(reverse("reviews:results_pdf", args=[c.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content).replace(" ", "")
    assert "发放" in text and "收回" in text and "有效" in text and "应参评" in text
    assert "居民代表100222" in text.replace("\n", "")  # electorate 100, issued 2, returned 2, valid 2
    c.refresh_from_db()
    day = documents.counted_on(c)
    assert f"计票日期：{day.year}年{day.month}月{day.day}日" in text
