"""R22 member reviews through the client: the public ballot, the secretary's pages, the county's
read-only view, fixed query counts."""

import datetime
import re

import pytest
from django.urls import reverse

from reviews import services
from reviews.models import Ballot, BallotCode, Campaign, Category, Choice, PaperTally

from .factories import campaign, part_time_member

pytestmark = pytest.mark.django_db


# --- the public ballot ------------------------------------------------------------------------------------


def _ballot_data(c, choice=Choice.SATISFIED):
    return {f"s{s.pk}": choice for s in c.subjects.all()}


def test_r22_anonymous_reviewer_votes_once_with_a_code(client, world, secretary_user):
    part_time_member(world.mine, name="张委员", unit=world.unit)
    c = campaign(secretary_user, world.mine)
    [code] = services.codes_generate(actor=secretary_user, campaign=c, category=Category.RESIDENT, count=1)
    url = reverse("reviews:ballot", args=[code.code])

    page = client.get(url)
    assert page.status_code == 200
    assert "张委员" in page.text and "县供电公司" in page.text and "居民代表" in page.text

    done = client.post(url, _ballot_data(c, Choice.UNSATISFIED), follow=True)
    assert done.redirect_chain[-1][0] == reverse("reviews:ballot_done")
    assert "感谢您的参与" in done.text
    assert list(Ballot.objects.values_list("category", "choice")) == [(Category.RESIDENT, Choice.UNSATISFIED)]

    again = client.get(url)
    assert "该测评码已经使用过" in again.text
    client.post(url, _ballot_data(c))
    assert Ballot.objects.count() == 1


def test_an_incomplete_ballot_keeps_the_choices_and_says_what_is_missing(client, world, secretary_user):
    part_time_member(world.mine, name="甲")
    part_time_member(world.mine, name="乙")
    c = campaign(secretary_user, world.mine)
    [code] = services.codes_generate(actor=secretary_user, campaign=c, category=Category.PARTY_MEMBER, count=1)
    first = c.subjects.first()
    page = client.post(reverse("reviews:ballot", args=[code.code]), {f"s{first.pk}": Choice.FAIRLY})
    assert page.status_code == 400
    assert "请选择对该委员的评价" in page.text
    assert re.search(rf'name="s{first.pk}" value="{Choice.FAIRLY}"[^>]*checked>', page.text)  # kept
    assert page.text.count(" checked>") == 1
    code.refresh_from_db()
    assert not code.used


def test_unknown_and_closed_codes_get_clear_messages(client, world, secretary_user):
    c = campaign(secretary_user, world.mine, members=1)
    [code] = services.codes_generate(actor=secretary_user, campaign=c, category=Category.DEPUTY, count=1)
    unknown = client.get(reverse("reviews:ballot", args=["ABCDABCDABCD"]))
    assert unknown.status_code == 404 and "测评码无效" in unknown.text
    services.campaign_close(actor=secretary_user, campaign=c)
    closed = client.get(reverse("reviews:ballot", args=[code.code]))
    assert closed.status_code == 200 and "本次测评已经结束" in closed.text
    client.post(reverse("reviews:ballot", args=[code.code]), _ballot_data(c))
    assert not Ballot.objects.exists()


def test_the_code_entry_page_forgives_dashes_and_case(client, world, secretary_user):
    c = campaign(secretary_user, world.mine, members=1)
    [code] = services.codes_generate(actor=secretary_user, campaign=c, category=Category.DEPUTY, count=1)
    response = client.post(reverse("reviews:ballot_entry"), {"code": code.display_code.lower()})
    assert response.status_code == 302 and response.url == reverse("reviews:ballot", args=[code.code])
    wrong = client.post(reverse("reviews:ballot_entry"), {"code": "WRONG"})
    assert wrong.status_code == 400 and "测评码无效" in wrong.text


# --- the secretary's pages --------------------------------------------------------------------------


def test_secretary_creates_opens_generates_codes_and_prints_them(login, world, secretary_user):
    part_time_member(world.mine, name="张委员")
    client = login(secretary_user)
    response = client.post(
        reverse("reviews:campaign_create", args=[world.mine.pk]),
        {
            "year": 2025,
            "title": "2025年度测评",
            "opens_on": "2025-12-01",
            "closes_on": "2099-12-20",
            "p2_rule": "on",
            "electorate_deputy": 10,
        },
    )
    c = Campaign.objects.get()
    assert response.url == c.get_absolute_url() and c.is_draft and c.p2_rule
    duplicate = client.post(
        reverse("reviews:campaign_create", args=[world.mine.pk]),
        {"year": 2025, "title": "重复", "opens_on": "2025-12-01", "closes_on": "2025-12-20"},
    )
    assert duplicate.status_code == 400 and "2025年度的委员测评已经建立" in duplicate.text
    client.post(reverse("reviews:campaign_open", args=[c.pk]))
    c.refresh_from_db()
    assert c.is_open and c.subjects.count() == 1

    sheet = client.post(
        reverse("reviews:codes_generate", args=[c.pk]), {"category": Category.DEPUTY, "count": 3}, follow=True
    )
    codes = list(BallotCode.objects.filter(campaign=c))
    assert len(codes) == 3
    assert all(code.display_code in sheet.text for code in codes)
    assert f"/reviews/b/{codes[0].code}/" in sheet.text


def test_paper_tally_form(login, world, secretary_user):
    part_time_member(world.mine, name="张委员")
    c = campaign(secretary_user, world.mine)
    s = c.subjects.get()
    client = login(secretary_user)
    url = reverse("reviews:tally", args=[c.pk]) + "?category=resident"
    assert client.get(url).status_code == 200
    bad = client.post(url, {f"s{s.pk}_satisfied": "-1"})
    assert bad.status_code == 400 and "票数不能为负数" in bad.text
    client.post(url, {f"s{s.pk}_satisfied": "2", f"s{s.pk}_unsatisfied": "5"})
    tally = PaperTally.objects.get()
    assert (tally.category, tally.satisfied, tally.unsatisfied) == (Category.RESIDENT, 2, 5)


def test_county_reads_but_cannot_open_close_or_generate(login, world, secretary_user, county_user):
    c = campaign(secretary_user, world.mine, members=1)
    client = login(county_user)
    assert client.get(c.get_absolute_url()).status_code == 200
    for name in ("campaign_close", "codes_generate"):
        assert (
            client.post(reverse(f"reviews:{name}", args=[c.pk]), {"category": "deputy", "count": 1}).status_code == 403
        )
    c.refresh_from_db()
    assert c.is_open and not c.codes.exists()


def test_liaison_sees_only_the_notice_about_their_member(login, world, secretary_user, liaison_user):
    part_time_member(world.mine, name="张委员", unit=world.unit)
    c = campaign(secretary_user, world.mine)
    services.campaign_close(actor=secretary_user, campaign=c)
    client = login(liaison_user)
    assert client.get(reverse("reviews:campaign_list")).status_code == 404
    assert client.get(reverse("reviews:results", args=[c.pk])).status_code == 404
    inbox = client.get(reverse("inbox:list"))
    assert "满意度测评结果：张委员" in inbox.text


# --- fixed query counts -------------------------------------------------------------------------------


def _queries(client, url, django_assert_max_num_queries, limit=40):
    with django_assert_max_num_queries(limit) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["campaign_detail", "results"])
def test_pages_run_a_fixed_number_of_queries(login, world, secretary_user, django_assert_max_num_queries, page):
    client = login(secretary_user)
    counts = []
    for year, members in ((2024, 2), (2025, 20)):
        c = campaign(secretary_user, world.mine, year=year, members=members if year == 2024 else 18)
        assert c.subjects.count() == members
        services.codes_generate(actor=secretary_user, campaign=c, category=Category.DEPUTY, count=3)
        services.tally_save(
            actor=secretary_user,
            campaign=c,
            category=Category.RESIDENT,
            rows={s.pk: {"unsatisfied": 3, "satisfied": 1} for s in c.subjects.all()},
        )
        if page == "results":
            services.campaign_close(actor=secretary_user, campaign=c)
        counts.append(_queries(client, reverse(f"reviews:{page}", args=[c.pk]), django_assert_max_num_queries))
    print(page, "queries (2 vs 20 members):", counts)
    assert counts[0] == counts[1], counts


def test_campaign_list_runs_a_fixed_number_of_queries(login, world, secretary_user, django_assert_max_num_queries):
    client = login(secretary_user)
    campaign(secretary_user, world.mine, year=2020, members=1)
    small = _queries(client, reverse("reviews:campaign_list"), django_assert_max_num_queries)
    for year in range(2021, 2030):
        campaign(secretary_user, world.mine, year=year, opened=False)
    assert _queries(client, reverse("reviews:campaign_list"), django_assert_max_num_queries) == small


def test_results_pdf(login, world, secretary_user):
    part_time_member(world.mine, name="张委员")
    c = campaign(secretary_user, world.mine, closes_on=datetime.date.today())
    services.campaign_close(actor=secretary_user, campaign=c)
    response = login(secretary_user).get(reverse("reviews:results_pdf", args=[c.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
