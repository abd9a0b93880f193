"""seed_demo builds the demo township it promises (R1–R7, R25.4, R26) and a year of its work
(meetings R8–R13, co-building R15–R20, funding R23) and is idempotent; seed_scale builds
county-scale data and refuses to build it twice without --reset."""

import datetime
import io

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory, TestCase
from django.utils import timezone

from accounts.models import User
from cobuilding.models import (
    Agreement,
    Commitment,
    DedicationDay,
    DedicationParticipation,
    Fulfilment,
    InServiceMember,
    Pledge,
    PledgeKind,
    ProjectClaim,
)
from committees import selectors, services
from committees.demo import DEMO_PASSWORD
from committees.models import (
    BuildingGroup,
    Committee,
    Community,
    County,
    Grid,
    Post,
    PostApproval,
    RotationTerm,
    Township,
    Unit,
    Vacancy,
)
from funding import selectors as funding_selectors
from funding.models import Expense, FiscalYear, Income, Payment, SharePlan, Source
from inbox.models import Message
from meetings.models import Attendee, FollowUpTask, Meeting, Minutes, Motion, Vote

pytestmark = pytest.mark.django_db


def _seed_demo() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _row_counts() -> dict[str, int]:
    """Rows in every table, history tables included: any save through a service adds history."""
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


class TestSeedDemo(TestCase):
    """One seed for the whole class (setUpTestData): each test reads it inside its own
    rolled-back transaction."""

    @classmethod
    def setUpTestData(cls):
        cls.output = _seed_demo()
        cls.township = Township.objects.get(county__name="示范县", name="城关镇")

    def test_demo_township_has_three_communities_and_one_pilot_r25(self):
        demo = self.township
        names = set(demo.communities.values_list("name", flat=True))
        assert {"陵园社区", "东关社区", "西街社区"} <= names
        assert list(demo.communities.filter(is_pilot=True).values_list("name", flat=True)) == ["陵园社区"]

    def test_every_community_has_an_active_committee_for_the_term_r1_r6(self):
        demo = self.township
        committees = Committee.objects.filter(community__township=demo, is_active=True)
        assert committees.count() == demo.communities.count() >= 3
        for committee in committees:
            assert (committee.term_start, committee.term_end) == (
                datetime.date(2024, 1, 1),
                datetime.date(2028, 12, 31),
            )
        modes = sorted(committees.values_list("mode", flat=True))
        assert modes.count(Committee.Mode.ONE_PLUS_X) == 1
        assert Committee.Mode.ROTATING in modes

    def test_units_cover_every_type_with_a_complete_ledger_r2(self):
        demo = self.township
        for community in demo.communities.all():
            units = list(community.units.all())
            assert len(units) >= 15, community
            assert {u.unit_type for u in units} == set(Unit.Type.values), community
            assert len({u.industry for u in units}) >= 5
            for unit in units:
                assert unit.ledger_complete, unit
                assert unit.grid.community_id == community.pk
                assert unit.liaison_name and unit.liaison_phone and unit.contact_phone and unit.contact_email
                assert unit.address.startswith("示范县城关镇")
                if unit.party_org_kind != Unit.PartyOrgKind.NONE:
                    assert unit.party_org_name and unit.party_org_secretary and unit.members_direct > 0, unit
            community_orgs = [u for u in units if u.unit_type == Unit.Type.COMMUNITY_ORG]
            assert len(community_orgs) == 1
            assert community_orgs[0].party_org_secretary == community.party_org_secretary

    def test_grids_and_building_groups_r26(self):
        demo = self.township
        for community in demo.communities.all():
            grids = Grid.objects.filter(community=community)
            assert grids.count() >= 2
            assert all(g.branch_name.endswith("网格党支部") for g in grids)
            assert BuildingGroup.objects.filter(grid__community=community).count() >= grids.count()
            assert set(community.units.values_list("grid", flat=True)) == set(grids.values_list("pk", flat=True))

    def test_posts_in_force_pass_every_composition_check_r3_r4_r5_r7(self):
        demo = self.township
        for committee in Committee.objects.filter(community__township=demo):
            posts = selectors.committee_posts(committee=committee)
            terms = selectors.rotation_terms(committee=committee)
            checks = selectors.composition_checks(committee=committee, posts=posts, terms=terms)
            failing = [(c.label, c.detail) for c in checks if not c.ok]
            assert failing == [], (committee, failing)
            in_force = [p for p in posts if p.status == Post.Status.IN_FORCE]
            kinds = [p.kind for p in in_force]
            assert kinds.count(Post.Kind.SECRETARY) == 1
            assert kinds.count(Post.Kind.FULLTIME_DEPUTY) == 1
            assert 2 <= kinds.count(Post.Kind.DEPUTY) + 1 <= 3
            assert kinds.count(Post.Kind.MEMBER) >= 4
            # R5: in force only with both county bodies' approval on record.
            for post in in_force:
                decisions = {(a.body, a.decision) for a in post.approvals.all()}
                assert decisions == {
                    (PostApproval.Body.ORG_DEPT, PostApproval.Decision.APPROVED),
                    (PostApproval.Body.CIVIL_AFFAIRS, PostApproval.Decision.APPROVED),
                }, post
                assert post.recommended_by
            fulltime = next(p for p in in_force if p.kind == Post.Kind.FULLTIME_DEPUTY)
            assert fulltime.unit.unit_type == Unit.Type.COMMUNITY_ORG
            if committee.mode == Committee.Mode.ROTATING:
                # R4 (P1): the community party-org secretary is the full-time deputy.
                assert fulltime.holder_name == committee.community.party_org_secretary
            else:
                secretary = next(p for p in in_force if p.kind == Post.Kind.SECRETARY)
                assert secretary.holder_name == committee.community.party_org_secretary

    def test_each_committee_shows_exactly_one_open_vacancy_r6(self):
        demo = self.township
        for committee in Committee.objects.filter(community__township=demo):
            vacancies = selectors.committee_vacancies(committee=committee)
            assert len(vacancies) == 1, committee
            vacancy = vacancies[0]
            assert vacancy.previous_post.status == Post.Status.ENDED
            assert vacancy.days_open > 0

    def test_rotation_plans_are_approved_and_leave_no_gap_r7(self):
        demo = self.township
        today = datetime.date.today()
        rotating = Committee.objects.filter(community__township=demo, mode=Committee.Mode.ROTATING)
        assert rotating.exists()
        for committee in rotating:
            terms = list(RotationTerm.objects.filter(committee=committee))
            assert len(terms) == 5
            assert all(t.is_approved for t in terms)
            assert services.rotation_gaps(committee) == []
            assert len({t.unit_id for t in terms}) == 5
            if committee.term_start <= today <= committee.term_end:
                holder = selectors.secretary_on(committee=committee, day=today)
                assert holder.holder_name == committee.posts.get(kind="secretary", status="in_force").holder_name
            # The handover history: earlier rotating secretaries ended when the next took over.
            ended = committee.posts.filter(kind=Post.Kind.SECRETARY, status=Post.Status.ENDED)
            assert ended.count() == min(max(today.year - 2024, 0), 4)

    def test_demo_users_one_per_role_with_the_printed_password(self):
        demo = self.township
        output = self.output
        expected = {
            "township": ("township", "township_id", demo.pk),
            "secretary": ("secretary", "community_id", Community.objects.get(name="陵园社区").pk),
            "liaison": ("liaison", "unit_id", None),
            "county": ("county", "county_id", County.objects.get(name="示范县").pk),
        }
        for username, (role, scope_field, scope_id) in expected.items():
            user = User.objects.get(username=username)
            assert user.role == role
            assert getattr(user, scope_field) is not None
            if scope_id is not None:
                assert getattr(user, scope_field) == scope_id
            assert (
                authenticate(RequestFactory().post("/accounts/login/"), username=username, password=DEMO_PASSWORD)
                == user
            )
            assert username in output
        liaison = User.objects.get(username="liaison")
        assert liaison.unit.community.name == "陵园社区"
        admin = User.objects.get(username="admin")
        assert admin.is_superuser and admin.check_password(DEMO_PASSWORD)
        assert DEMO_PASSWORD in output
        # The community secretary's account holds her full-time deputy post (for notices).
        assert Post.objects.get(user__username="secretary").kind == Post.Kind.FULLTIME_DEPUTY

    def test_demo_is_written_through_the_services_by_the_admin(self):
        admin = User.objects.get(username="admin")
        unit = Unit.objects.filter(community__name="陵园社区").first()
        assert unit.history.filter(history_type="+", history_user=admin).exists()
        post = Post.objects.filter(committee__community__name="陵园社区", status=Post.Status.IN_FORCE).first()
        assert post.history.filter(history_type="+", history_user=admin).exists()  # nominated
        # R5: each county body's decision is recorded by the demo user acting for it
        bodies = {u.county_body: u for u in User.objects.filter(username__in=["zuzhibu", "minzhengju"])}
        assert set(bodies) == {PostApproval.Body.ORG_DEPT, PostApproval.Body.CIVIL_AFFAIRS}
        for body, clerk in bodies.items():
            assert clerk.role == User.Role.COUNTY and clerk.check_password(DEMO_PASSWORD)
            assert clerk.username in self.output
            assert not PostApproval.objects.filter(body=body).exclude(recorded_by=clerk).exists()
        assert post.history.filter(history_user=bodies[PostApproval.Body.CIVIL_AFFAIRS]).exists()  # in force

    def test_second_run_changes_nothing(self):
        before = _row_counts()
        snapshots = {
            model: list(model.objects.order_by("pk").values())
            for model in (Unit, Meeting, Attendee, Motion, FollowUpTask, Pledge, Fulfilment, Payment, Message)
        }
        output = _seed_demo()
        assert _row_counts() == before
        for model, snapshot in snapshots.items():
            assert list(model.objects.order_by("pk").values()) == snapshot, model
        assert "未做任何修改" in output

    # --- a year of work (meetings, co-building, funding) -----------------------------------

    def test_pilot_holds_a_meeting_in_each_past_quarter_and_one_upcoming_r8_r12(self):
        today = timezone.localdate()
        committee = Committee.objects.get(community__name="陵园社区")
        held = Meeting.objects.filter(
            committee=committee, status=Meeting.Status.MINUTES_APPROVED, starts_at__year=today.year
        )
        past_quarters = {q for q in (1, 2, 3) if datetime.date(today.year, q * 3, 28) < today}
        assert {m.quarter for m in held} == past_quarters
        for meeting in held:
            assert meeting.agenda_items.count() >= 2
            members = meeting.attendees.filter(role=Attendee.Role.MEMBER)
            assert members.filter(attendance=Attendee.Attendance.LEAVE).exclude(attendance_note="").exists()
            assert members.filter(attendance=Attendee.Attendance.PRESENT).count() > members.count() / 2
            for motion in meeting.motions.all():
                assert motion.status == Motion.Status.PUBLISHED and motion.passed
                assert motion.votes_for == motion.votes.filter(choice=Vote.Choice.FOR).count()
                assert motion.votes_for > motion.entitled_count / 2  # R12.3: the majority
                assert motion.resolution.tasks.exists() or motion.resolution is not None
            minutes = meeting.minutes
            assert minutes.status in (Minutes.Status.APPROVED, Minutes.Status.LOCKED) and minutes.approved_on
            # Written "on the day": the history says when, not when the seed ran.
            assert timezone.localdate(meeting.history.earliest().history_date) < timezone.localdate(meeting.starts_at)
        upcoming = Meeting.objects.get(committee=committee, status=Meeting.Status.NOTIFIED)
        assert upcoming.starts_at > timezone.now()
        assert upcoming.attendees.exclude(reply=Attendee.Reply.NONE).count() >= 3
        liaison = User.objects.get(username="liaison")
        assert Message.objects.filter(key__startswith=f"meeting:{upcoming.pk}:", recipient=liaison).exists()
        # Two lighter committees, each with a past quarter left without a held meeting (R8 flag).
        others = Meeting.objects.filter(status=Meeting.Status.MINUTES_APPROVED).exclude(committee=committee)
        assert others.values("committee").distinct().count() == 2

    def test_follow_up_tasks_done_overdue_and_in_progress_r13(self):
        tasks = FollowUpTask.objects.filter(committee__community__name="陵园社区")
        today = timezone.localdate()
        done = tasks.filter(status=FollowUpTask.Status.DONE)
        assert done.count() >= 5
        assert all(t.closed_on <= t.due_on for t in done)  # on time
        assert sum(1 for t in tasks if t.is_overdue) == 1
        in_progress = [t for t in tasks.filter(status=FollowUpTask.Status.OPEN) if t.due_on >= today]
        assert len(in_progress) == 1 and in_progress[0].updates.count() >= 2
        assert in_progress[0].owner == User.objects.get(username="liaison")

    def test_cobuilding_agreements_pledges_projects_days_members_commitments_r16_r20(self):
        liaison = User.objects.get(username="liaison")
        year = timezone.localdate().year
        pledges = Pledge.objects.filter(unit__community__name="陵园社区", year=year)
        assert set(pledges.values_list("kind", flat=True)) == set(PledgeKind.values)  # R17: eight kinds
        assert set(pledges.filter(unit=liaison.unit).values_list("status", flat=True)) >= {
            Pledge.Status.DRAFT,
            Pledge.Status.SUBMITTED,
            Pledge.Status.ACCEPTED,
            Pledge.Status.FULFILLED,
        }
        assert pledges.filter(status=Pledge.Status.RETURNED).exclude(review_comment="").exists()
        fulfilled = pledges.filter(status=Pledge.Status.FULFILLED)
        assert fulfilled.count() >= 3
        assert Fulfilment.objects.filter(pledge__in=fulfilled, status=Fulfilment.Status.CONFIRMED).exists()
        assert Fulfilment.objects.filter(pledge__unit=liaison.unit, status=Fulfilment.Status.SUBMITTED).count() == 1
        signed = Agreement.objects.filter(unit__community__name="陵园社区", status=Agreement.Status.SIGNED)
        assert signed.count() >= 4 and signed.filter(unit=liaison.unit).exists()
        assert all(a.scan.name.endswith(".pdf") and a.signed_on for a in signed)
        assert ProjectClaim.objects.filter(unit=liaison.unit, status=ProjectClaim.Status.COMPLETED).exists()
        days = DedicationDay.objects.filter(committee__community__name="陵园社区", year=year)
        assert DedicationParticipation.objects.filter(day__in=days, day__held_on__lt=timezone.localdate()).exists()
        assert days.filter(held_on__gt=timezone.localdate()).exists() or timezone.localdate().month == 12
        assert InServiceMember.objects.filter(unit=liaison.unit).count() >= 3
        sides = set(Commitment.objects.filter(unit=liaison.unit, year=year).values_list("side", flat=True))
        assert sides == {Commitment.Side.COMMUNITY, Commitment.Side.UNIT}  # R19: two-way

    def test_funding_five_sources_active_plan_and_payments_r23(self):
        today = timezone.localdate()
        fy = FiscalYear.objects.get(committee__community__name="陵园社区", year=today.year)
        assert fy.opening_balance > 0  # last year closed and carried over
        sources = set(Income.objects.filter(fiscal_year=fy).values_list("source", flat=True))
        assert sources | {Source.CONTRIBUTIONS} == set(Source.values)
        assert Expense.objects.filter(fiscal_year=fy).values("category").distinct().count() >= 6
        plan = SharePlan.objects.get(fiscal_year=fy, status=SharePlan.Status.ACTIVE)
        assert plan.resolution.motion.passed  # R23.1: decided by a committee meeting
        rows = funding_selectors.share_status(fiscal_year=fy, today=today).rows
        paid_in_full = [r for r in rows if r.due and r.outstanding == 0]
        partial = [r for r in rows if r.paid > 0 and r.outstanding > 0]
        arrears = [r for r in rows if r.due and r.paid == 0]
        assert len(paid_in_full) >= 6 and len(partial) == 1 and len(arrears) == 1
        assert Payment.objects.filter(fiscal_year=fy).count() >= 8

    def test_assessment_has_a_released_finalised_task_and_a_round_in_progress_r21(self):
        from assessment.models import Round, ScoreSheet, ScoringTask

        liaison = User.objects.get(username="liaison")
        released = ScoringTask.objects.filter(
            round__released_at__isnull=False, status=ScoringTask.Status.FINALISED, unit=liaison.unit
        ).get()
        assert released.final_score is not None and released.grade
        notice = Message.objects.get(kind="assessment_result", recipient=liaison)
        assert notice.url.endswith(f"/tasks/{released.pk}/") and str(released.final_score) in notice.body
        current = Round.objects.get(county__name="示范县", year=timezone.localdate().year)
        assert current.released_at is None
        statuses = set(current.tasks.values_list("status", flat=True))
        assert {ScoringTask.Status.OPEN, ScoringTask.Status.FINALISED} <= statuses
        # both bodies submitted with the portal's suggestions pre-filled from the demo's real data
        lingyuan = ScoreSheet.objects.filter(
            task__round=current, task__unit__community__name="陵园社区", status=ScoreSheet.Status.SUBMITTED
        )
        assert lingyuan.filter(body="county").count() >= 10
        assert lingyuan.filter(lines__suggested__isnull=False).exists()

    def test_inbox_holds_delivered_notices_read_and_unread(self):
        liaison = User.objects.get(username="liaison")
        mine = Message.objects.filter(recipient=liaison)
        assert mine.filter(state=Message.State.SENT, read_at__isnull=False).count() >= 3
        assert mine.filter(read_at__isnull=True).exists()
        assert (
            not Message.objects.filter(state=Message.State.PENDING, due_at__lt=timezone.now())
            .exclude(kind__in=("meeting_notice",))
            .exists()
        )


# --- seed_scale ------------------------------------------------------------------------------


def test_seed_scale_builds_the_requested_size():
    out = io.StringIO()
    call_command("seed_scale", townships=2, committees=5, units=60, stdout=out)
    county = County.objects.get(name="规模测试县")
    assert Township.objects.filter(county=county).count() == 2
    assert Committee.objects.filter(community__township__county=county).count() == 5
    assert Unit.objects.filter(community__township__county=county).count() == 60
    assert Vacancy.objects.filter(committee__community__township__county=county, filled_on__isnull=True).count() == 5
    for committee in Committee.objects.filter(community__township__county=county, mode=Committee.Mode.ROTATING):
        assert services.rotation_gaps(committee) == []
    assert User.objects.filter(username__startswith="scale_t", role=User.Role.TOWNSHIP).count() == 2
    assert "成员单位 60" in out.getvalue()


def test_seed_scale_refuses_to_run_twice_without_reset_and_rebuilds_with_it():
    call_command("seed_scale", townships=1, committees=2, units=10, stdout=io.StringIO())
    before = _row_counts()
    with pytest.raises(CommandError, match="已存在.*--reset"):
        call_command("seed_scale", townships=1, committees=2, units=10, stdout=io.StringIO())
    assert _row_counts() == before
    call_command("seed_scale", townships=3, committees=3, units=30, reset=True, stdout=io.StringIO())
    assert County.objects.filter(name="规模测试县").count() == 1
    assert Unit.objects.filter(community__township__county__name="规模测试县").count() == 30
    assert Township.objects.filter(county__name="规模测试县").count() == 3


def test_seed_scale_rejects_nonsense_sizes():
    with pytest.raises(CommandError, match="参数不合理"):
        call_command("seed_scale", townships=5, committees=2, units=10, stdout=io.StringIO())
