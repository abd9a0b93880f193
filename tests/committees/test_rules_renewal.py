"""Issue #11 item 6 (R6 换届): a committee's term is closed and the next committee formed: units
carried over, posts nominated again, history kept, the old committee read-only; the overdue-term
flag leads there."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User
from committees import services
from committees.models import Committee, Post, PostApproval, RotationTerm, Unit
from tests.committees.helpers import record_decision
from tests.factories import CommitteeFactory, CommunityFactory, CountyFactory, TownshipFactory, UnitFactory, UserFactory

OLD_START, OLD_END = datetime.date(2019, 1, 1), datetime.date(2023, 12, 31)
NEW_START = datetime.date(2024, 1, 1)
DAY = datetime.timedelta(days=1)

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(db):
    class P:
        pass

    p = P()
    p.county = CountyFactory(name="示范县")
    p.township = TownshipFactory(county=p.county, name="城关镇")
    p.community = CommunityFactory(township=p.township, name="陵园社区", party_org_secretary="王社区")
    p.committee = CommitteeFactory(community=p.community, name="陵园社区大党委", term_start=OLD_START, term_end=OLD_END)
    p.org_unit = UnitFactory(community=p.community, name="社区党委", unit_type=Unit.Type.COMMUNITY_ORG)
    p.units = [UnitFactory(community=p.community, name=f"单位{c}", party_org_secretary=f"书记{c}") for c in "甲乙丙"]
    p.staff = UserFactory(username="zhen", full_name="赵干事", role=User.Role.TOWNSHIP, township=p.township)
    p.secretary = UserFactory(username="shuji", role=User.Role.SECRETARY, community=p.community)
    p.posts = []
    for kind, name, unit, head in (
        (Post.Kind.SECRETARY, "书记甲", p.units[0], True),
        (Post.Kind.FULLTIME_DEPUTY, "王社区", p.org_unit, True),
        (Post.Kind.DEPUTY, "书记乙", p.units[1], True),
        (Post.Kind.MEMBER, "张委员", p.units[2], False),
    ):
        post = services.post_nominate(
            actor=p.staff,
            committee=p.committee,
            kind=kind,
            holder_name=name,
            unit=unit,
            is_unit_party_head=head,
            recommended_by=["township", "community"],
            nominated_on=datetime.date(2019, 1, 2),
        )
        for body in (PostApproval.Body.ORG_DEPT, PostApproval.Body.CIVIL_AFFAIRS):
            record_decision(post=post, body=body, decision="approved", decided_on=datetime.date(2019, 1, 10))
        post.refresh_from_db()
        p.posts.append(post)
    p.terms = services.rotation_generate(actor=p.staff, committee=p.committee, units=p.units[:2], start=OLD_START)
    return p


def renew(p, **kwargs):
    kwargs.setdefault("term_start", NEW_START)
    return services.committee_renew(actor=p.staff, committee=p.committee, **kwargs)


class TestR6Renewal:
    def test_r6_renewal_closes_the_term_and_forms_the_next_committee(self, place):
        new = renew(place)
        old = Committee.objects.get(pk=place.committee.pk)
        assert not old.is_active and old.term_end == OLD_END
        assert new.is_active and new.community == place.community
        assert (new.term_start, new.term_end) == (NEW_START, datetime.date(2028, 12, 31))
        assert (new.mode, new.meeting_frequency, new.rotation_approver) == (
            old.mode,
            old.meeting_frequency,
            old.rotation_approver,
        )
        # the old posts ended the day before, with the reason; history kept
        ended = Post.objects.filter(committee=old)
        assert {(p.status, p.ended_on) for p in ended} == {(Post.Status.ENDED, OLD_END)}
        assert all("换届" in p.end_reason for p in ended)
        assert all(p.approvals.count() == 2 for p in ended)
        assert RotationTerm.objects.filter(committee=old).count() == len(place.terms)
        # each is nominated again in the new committee, waiting for both county bodies (R5)
        again = Post.objects.filter(committee=new)
        assert sorted((p.kind, p.holder_name, p.unit_id, p.status) for p in again) == sorted(
            (p.kind, p.holder_name, p.unit_id, Post.Status.NOMINATED) for p in place.posts
        )
        assert {p.nominated_on for p in again} == {NEW_START}
        assert not new.vacancies.exists() and not old.vacancies.exists()  # a renewal leaves no vacancy
        # units belong to the community: carried over as they are
        assert set(Unit.objects.filter(community=place.community, is_active=True)) == {place.org_unit, *place.units}
        assert old.history.first().history_change_reason == "换届"

    def test_r6_early_renewal_cuts_the_old_term(self, place):
        renew(place, term_start=datetime.date(2023, 7, 1))
        old = Committee.objects.get(pk=place.committee.pk)
        assert old.term_end == datetime.date(2023, 6, 30)
        assert set(Post.objects.filter(committee=old).values_list("ended_on", flat=True)) == {old.term_end}

    @pytest.mark.parametrize(
        "start", [OLD_START, OLD_START - DAY, datetime.date(2999, 1, 1)], ids=["same", "before", "future"]
    )
    def test_r6_renewal_date_is_after_the_old_start_and_not_in_the_future(self, place, start):
        with pytest.raises(ValidationError) as exc:
            renew(place, term_start=start)
        assert "term_start" in exc.value.message_dict
        place.committee.refresh_from_db()
        assert place.committee.is_active and Committee.objects.count() == 1
        assert Post.objects.filter(status=Post.Status.IN_FORCE).count() == 4

    def test_r6_the_old_committee_is_read_only(self, place):
        waiting = services.post_nominate(
            actor=place.staff,
            committee=place.committee,
            kind=Post.Kind.MEMBER,
            holder_name="待批",
            unit=place.units[2],
            recommended_by=["community"],
            nominated_on=datetime.date(2023, 6, 1),
        )
        renew(place)
        old = Committee.objects.get(pk=place.committee.pk)
        refusals = [
            lambda: services.committee_update(actor=place.staff, committee=old, name="改名"),
            lambda: services.post_nominate(
                actor=place.staff,
                committee=old,
                kind=Post.Kind.MEMBER,
                holder_name="新人",
                unit=place.units[2],
                recommended_by=["community"],
                nominated_on=NEW_START,
            ),
            lambda: record_decision(post=waiting, body="org_dept", decision="approved", decided_on=NEW_START),
            lambda: services.rotation_generate(actor=place.staff, committee=old, units=place.units[:2]),
            lambda: services.rotation_approve(actor=place.staff, committee=old),
            lambda: services.vacancy_open(
                actor=place.staff, committee=old, kind=Post.Kind.MEMBER, opened_on=NEW_START, reason="x"
            ),
            lambda: services.committee_renew(actor=place.staff, committee=old, term_start=NEW_START + DAY),
        ]
        for refuse in refusals:
            with pytest.raises(ValidationError):
                refuse()
        old.refresh_from_db()
        assert old.name == "陵园社区大党委" and not waiting.approvals.exists()
        assert Committee.objects.count() == 2 and Post.objects.filter(committee=old, holder_name="新人").count() == 0

    def test_r6_a_post_the_rules_refuse_now_is_named_not_a_crash(self, place):
        # old data saved before the rule: a rotating-mode secretary who is not a unit party head
        Post.objects.filter(pk=place.posts[0].pk).update(is_unit_party_head=False)
        new = renew(place)
        assert [post.holder_name for post, _ in new.not_renominated] == ["书记甲"]
        assert "驻区单位党组织负责人兼任" in new.not_renominated[0][1]
        assert Post.objects.filter(committee=new).count() == 3


class TestR6RenewalPages:
    def url(self, p):
        return reverse("committees:committee_renew", args=[p.committee.pk])

    def test_r6_the_overdue_flag_leads_to_the_renewal(self, client, place):
        client.force_login(place.staff)
        page = client.get(place.committee.get_absolute_url()).content.decode()
        assert "已届满，请组织换届" in page and f'href="{self.url(place)}"' in page
        client.force_login(place.secretary)  # the secretary sees the flag, not the way (the township renews)
        page = client.get(place.committee.get_absolute_url()).content.decode()
        assert "已届满，请组织换届" in page and self.url(place) not in page

    def test_r6_township_renews_through_the_page(self, client, place, django_assert_max_num_queries):
        client.force_login(place.staff)
        with django_assert_max_num_queries(12):
            response = client.get(self.url(place))
        assert response.status_code == 200
        page = response.content.decode()
        assert "现有 4 个在任职务同日卸任" in page and "只读保留" in page
        response = client.post(self.url(place), {"term_start": NEW_START.isoformat()}, follow=True)
        new = Committee.objects.get(community=place.community, is_active=True)
        assert response.redirect_chain[-1][0] == new.get_absolute_url()
        assert "已完成换届" in response.content.decode()
        page = client.get(place.committee.get_absolute_url()).content.decode()
        assert "往届" in page and self.url(place) not in page
        assert reverse("committees:committee_update", args=[place.committee.pk]) not in page

    def test_r6_secretary_may_not_renew_and_nothing_changes(self, client, place):
        client.force_login(place.secretary)
        assert client.get(self.url(place)).status_code == 403
        assert client.post(self.url(place), {"term_start": NEW_START.isoformat()}).status_code == 403
        assert Committee.objects.count() == 1 and Committee.objects.get().is_active

    def test_r6_a_bad_date_is_shown_on_the_form(self, client, place):
        client.force_login(place.staff)
        response = client.post(self.url(place), {"term_start": OLD_START.isoformat()})
        assert response.status_code == 200
        assert "新一届的任期开始日期必须晚于本届的开始日期" in response.content.decode()
        assert Committee.objects.count() == 1
