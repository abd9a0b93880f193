"""Views of issue #5 through the client, with each role: scope (404), read-only (403), forms that
keep their input, exports, the receipt PDF."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import User
from funding import services
from funding.models import Income, Payment, SharePlan
from meetings.models import Motion, Resolution
from tests.factories import UnitFactory, UserFactory

from .factories import FiscalYearFactory, MeetingFactory, resolution_for

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(active_plan, units, secretary_user):
    return services.payment_record(
        actor=secretary_user,
        fiscal_year=active_plan.fiscal_year,
        unit=units[0],
        amount=D("1000.00"),
        paid_on=datetime.date(2026, 3, 1),
    )


def url(name, *args):
    return reverse(f"funding:{name}", args=args)


class TestScope:
    @pytest.mark.parametrize(
        ("role", "status"),
        [
            ("secretary_user", 200),
            ("township_user", 200),
            ("county_user", 200),
            ("admin_user", 200),
            ("liaison_user", 404),
        ],
    )
    def test_money_page_by_role(self, request, login, fy, role, status):
        client = login(request.getfixturevalue(role))
        assert client.get(url("year_detail", fy.pk)).status_code == status

    def test_other_townships_committee_is_404(self, login, world, township_user, secretary_user):
        other = FiscalYearFactory(committee=world.other)
        assert login(township_user).get(url("year_detail", other.pk)).status_code == 404
        sibling = FiscalYearFactory(committee=world.sibling)
        assert login(secretary_user).get(url("year_detail", sibling.pk)).status_code == 404

    def test_county_reads_but_changes_nothing(self, login, fy, county_user, paid):
        client = login(county_user)
        page = client.get(url("year_detail", fy.pk)).content.decode()
        assert "登记单位缴款" not in page and "年度结账" not in page
        for name in ("income_create", "expense_create", "payment_create", "share_plan_create", "year_close"):
            assert client.get(url(name, fy.pk)).status_code == 403, name
        assert client.post(url("arrears_remind", fy.pk)).status_code == 403
        assert client.post(url("payment_refund", paid.pk), {"amount": "1"}).status_code == 403
        assert client.get(url("payment_receipt_pdf", paid.pk)).status_code == 200

    def test_liaison_sees_own_unit_dues_and_payments_only(
        self, login, world, liaison_user, paid, units, secretary_user
    ):
        other_payment = services.payment_record(
            actor=secretary_user,
            fiscal_year=paid.fiscal_year,
            unit=units[1],
            amount=D("5.00"),
            paid_on=datetime.date(2026, 3, 1),
        )
        client = login(liaison_user)
        assert paid.unit == liaison_user.unit
        page = client.get(url("unit_dues", world.unit.pk))
        assert page.status_code == 200
        text = page.content.decode()
        assert "¥3,333.34" in text and "¥1,000.00" in text and "¥2,333.34" in text
        assert client.get(url("unit_dues", units[1].pk)).status_code == 404
        assert client.get(url("unit_dues", world.other_unit.pk)).status_code == 404
        assert client.get(url("payment_detail", paid.pk)).status_code == 200
        assert client.get(url("payment_detail", other_payment.pk)).status_code == 404
        assert client.get(url("payment_receipt_pdf", other_payment.pk)).status_code == 404
        assert client.get(url("payment_refund", paid.pk)).status_code == 403
        for name in ("year_detail", "arrears", "ledger", "ledger_xlsx", "shares_xlsx"):
            assert client.get(url(name, paid.fiscal_year_id)).status_code == 404, name
        assert client.get(url("share_plan_detail", paid.fiscal_year.share_plans.get().pk)).status_code == 404
        assert client.get(url("home")).url == url("unit_dues", world.unit.pk)

    def test_township_overview_scope(self, login, world, township_user, county_user, secretary_user, liaison_user):
        assert login(township_user).get(url("township_overview", world.township.pk)).status_code == 200
        assert login(township_user).get(url("township_overview", world.other_township.pk)).status_code == 404
        assert login(county_user).get(url("township_overview", world.other_township.pk)).status_code == 200
        assert login(secretary_user).get(url("township_overview", world.township.pk)).status_code == 404
        assert login(liaison_user).get(url("township_overview", world.township.pk)).status_code == 404

    def test_home_by_role(self, login, world, secretary_user, township_user, county_user):
        assert login(secretary_user).get(url("home")).url == url("committee_money", world.mine.pk)
        assert login(township_user).get(url("home")).url == url("township_overview", world.township.pk)
        assert login(county_user).get(url("home")).url == url("township_list")


class TestForms:
    def test_a_rejected_form_keeps_input_and_says_why_in_chinese(self, login, fy, secretary_user):
        client = login(secretary_user)
        response = client.post(
            url("income_create", fy.pk),
            {"source": "donations", "received_on": "2026-05-04", "amount": "12.345", "payer": "县工商联"},
        )
        assert response.status_code == 400
        text = response.content.decode()
        assert "金额最多保留两位小数" in text or "确认小数" in text or "小数" in text
        assert 'value="县工商联"' in text and 'value="12.345"' in text
        response = client.post(
            url("income_create", fy.pk), {"source": "donations", "received_on": "2026-05-04", "amount": "12.30"}
        )
        assert response.status_code == 400
        assert "请填写捐赠人" in response.content.decode()
        assert not Income.objects.exists()

    def test_income_is_recorded_and_edit_shows_history(self, login, fy, secretary_user):
        client = login(secretary_user)
        response = client.post(
            url("income_create", fy.pk),
            {
                "source": "delegated",
                "received_on": "2026-05-04",
                "amount": "800.00",
                "delegating_department": "县民政局",
                "delegated_task": "高龄老人走访",
            },
        )
        assert response.status_code == 302
        income = Income.objects.get()
        assert income.amount == D("800.00")
        client.post(
            url("income_update", income.pk),
            {
                "source": "delegated",
                "received_on": "2026-05-04",
                "amount": "850.00",
                "delegating_department": "县民政局",
                "reason": "补拨差额",
            },
        )
        page = client.get(url("income_update", income.pk)).content.decode()
        assert "补拨差额" in page and "800.00" in page and "850.00" in page

    def test_expense_with_receipt_upload(self, login, fy, secretary_user):
        from django.core.files.uploadedfile import SimpleUploadedFile

        client = login(secretary_user)
        response = client.post(
            url("expense_create", fy.pk),
            {
                "category": "activities",
                "spent_on": "2026-05-04",
                "amount": "300.00",
                "payee": "县图书馆",
                "receipts": [SimpleUploadedFile("fapiao.pdf", b"%PDF-1.4 x")],
            },
        )
        assert response.status_code == 302
        ledger = client.get(url("ledger", fy.pk)).content.decode()
        assert "县图书馆" in ledger and "票据1" in ledger
        receipt = fy.expenses.get().receipts.get()
        assert client.get(url("receipt_file", receipt.pk)).status_code == 200
        bad = client.post(
            url("expense_create", fy.pk),
            {
                "category": "activities",
                "spent_on": "2026-05-04",
                "amount": "300.00",
                "payee": "县图书馆",
                "receipts": [SimpleUploadedFile("fapiao.exe", b"MZ")],
            },
        )
        assert bad.status_code == 400 and "不支持的文件类型" in bad.content.decode()

    def test_share_plan_through_the_pages(self, login, fy, units, world, secretary_user):
        client = login(secretary_user)
        data = {"total": "10000.00", "due_on": "2026-06-30", "note": ""}
        for u in units:
            data[f"kind_{u.pk}"] = "percent"
            data[f"value_{u.pk}"] = "30"
        bad = client.post(url("share_plan_create", fy.pk), data)
        assert bad.status_code == 400 and "应为 100%" in bad.content.decode()
        data[f"value_{units[0].pk}"] = "40"
        response = client.post(url("share_plan_create", fy.pk), data)
        plan = SharePlan.objects.get()
        assert response.url == plan.get_absolute_url()
        page = client.get(plan.get_absolute_url()).content.decode()
        assert "¥10,000.00" in page and "最大余额法" in page
        response = client.post(url("share_plan_activate", plan.pk), follow=True)
        assert "本方案尚未提交大党委会议表决" in response.content.decode()
        # R23.1 (issue #11 item 12): an unrelated passed resolution is refused, with the reason
        unrelated = resolution_for(world.mine)
        response = client.post(url("share_plan_link", plan.pk), {"resolution": unrelated.pk}, follow=True)
        plan.refresh_from_db()
        assert plan.resolution is None and plan.status == "draft"
        meeting = MeetingFactory(committee=world.mine)
        response = client.post(url("share_plan_propose", plan.pk), {"meeting": meeting.pk}, follow=True)
        plan.refresh_from_db()
        assert plan.motion.meeting == meeting and "已提交" in response.content.decode()
        assert "2026年度成员单位出资分摊方案" in response.content.decode()
        Motion.objects.filter(pk=plan.motion_id).update(status="closed", passed=True, entitled_count=5)
        Resolution.objects.create(meeting=meeting, motion=plan.motion, text="通过")
        client.post(url("share_plan_activate", plan.pk))
        plan.refresh_from_db()
        assert plan.status == "active"
        # a foreign resolution is not accepted
        foreign = resolution_for(world.sibling)
        draft = client.post(url("share_plan_revise", plan.pk))
        revision = SharePlan.objects.get(version=2)
        assert draft.url == url("share_plan_update", revision.pk)
        client.post(url("share_plan_link", revision.pk), {"resolution": foreign.pk})
        revision.refresh_from_db()
        assert revision.resolution is None

    def test_r23_prefill_by_party_members_uses_the_counts(self, login, fy, units, secretary_user):
        page = login(secretary_user).get(url("share_plan_create", fy.pk) + "?prefill=members").content.decode()
        # issue #11 item 13: each unit is weighted by its count, no rounded percentage is offered
        assert page.count('<option value="members" selected>') == 3
        assert "33.3334" not in page

    def test_payment_refund_and_receipt_pdf(self, login, paid, secretary_user):
        client = login(secretary_user)
        response = client.post(
            url("payment_refund", paid.pk),
            {"amount": "100.00", "paid_on": "2026-03-05", "method": "cash", "note": "多缴"},
        )
        refund = Payment.objects.get(kind="refund")
        assert response.url == refund.get_absolute_url()
        assert refund.amount == D("-100.00")
        pdf = client.get(url("payment_receipt_pdf", paid.pk))
        assert pdf["Content-Type"] == "application/pdf"
        from pypdf import PdfReader

        text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().replace(" ", "")
        assert "收款收据" in text and "壹仟元整" in text and paid.receipt_no in text

    def test_close_year_through_the_page(self, login, fy, secretary_user):
        client = login(secretary_user)
        assert "确认结账" in client.get(url("year_close", fy.pk)).content.decode()
        client.post(url("year_close", fy.pk))
        fy.refresh_from_db()
        assert fy.is_closed
        page = client.get(url("year_detail", fy.pk)).content.decode()
        assert "已结账" in page and "登记单位缴款" not in page
        response = client.post(
            url("income_create", fy.pk), {"source": "services", "received_on": "2026-05-04", "amount": "1.00"}
        )
        assert response.status_code == 400 and "已结账" in response.content.decode()

    def test_budget_presets_page(self, login, fy, secretary_user):
        client = login(secretary_user)
        page = client.get(url("budget", fy.pk), {"tax_income": "100000.00"}).content.decode()
        assert "¥20,000.00" in page and "¥960.00" in page  # 20 %; 24 members × 40
        client.post(url("budget_adopt", fy.pk), {"preset": "tax_share", "tax_income": "100000.00"})
        assert fy.budget_lines.get().amount == D("20000.00")

    def test_reminder_button(self, login, active_plan, units, secretary_user):
        from inbox.models import Message

        UserFactory(role=User.Role.LIAISON, unit=units[0], email="a@example.cn")
        response = login(secretary_user).post(url("arrears_remind", active_plan.fiscal_year_id), follow=True)
        assert response.status_code == 200
        # the plan's due date (31 March 2026) may lie in the future when the suite runs
        assert Message.objects.filter(kind="arrears").count() in (0, 4)


class TestExports:
    def test_ledger_and_shares_workbooks(self, login, paid, secretary_user):
        fy = paid.fiscal_year
        services.income_record(
            actor=secretary_user,
            fiscal_year=fy,
            source="services",
            received_on=datetime.date(2026, 1, 2),
            amount=D("0.10"),
        )
        client = login(secretary_user)
        response = client.get(url("ledger_xlsx", fy.pk))
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
        assert rows[0][:3] == ("日期", "收支", "来源/类别")
        assert rows[-1][2] == "合计" and D(str(rows[-1][7])) == D("1000.10")
        ws = load_workbook(io.BytesIO(client.get(url("shares_xlsx", fy.pk)).content)).worksheets[0]
        rows = [r for r in ws.iter_rows(values_only=True) if r and r[0]]
        total = next(r for r in rows if r[0] == "合计")
        assert D(str(total[6])) == D("10000.00") and D(str(total[7])) == D("1000.00")
        assert "最大余额法" in rows[-1][0]


class TestTownship:
    def test_committees_side_by_side(self, login, world, township_user, active_plan, paid):
        FiscalYearFactory(committee=world.sibling, year=2026)
        response = login(township_user).get(url("township_overview", world.township.pk), {"year": 2026})
        text = response.content.decode()
        assert world.mine.name in text and world.sibling.name in text and world.other.name not in text
        assert "¥9,000.00" in text  # outstanding of world.mine
        assert "<svg" in text


def test_unit_of_another_community_cannot_pay(login, fy, secretary_user, world):
    response = login(secretary_user).post(
        url("payment_create", fy.pk),
        {"unit": world.other_unit.pk, "paid_on": "2026-03-01", "amount": "1.00", "method": "cash"},
    )
    assert response.status_code == 400
    assert not Payment.objects.exists()


def test_new_unit_is_offered_in_the_plan_form(login, fy, world, secretary_user):
    UnitFactory(community=world.mine.community, name="新入驻单位")
    assert "新入驻单位" in login(secretary_user).get(url("share_plan_create", fy.pk)).content.decode()
