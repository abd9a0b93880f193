"""Excel exports of the ledger and the shares (issue #5 §5). Amounts go into the cells as
``Decimal`` (openpyxl writes them as numbers) with a yuan format; no float on the way."""

import datetime
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from common import xlsx

from . import selectors
from .models import FiscalYear, ShareLine

MONEY_FORMAT = '"¥"#,##0.00;-"¥"#,##0.00'
EXACT_FORMAT = "0.00000000"
HEADER_FILL = PatternFill("solid", fgColor="F3DCDA")


def _sheet(wb, title, headers, widths, first=False):
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    xlsx.append(ws, headers)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
    ws.freeze_panes = "A2"
    return ws


def _money_cols(ws, cols, fmt=MONEY_FORMAT):
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.column in cols and cell.value is not None:
                cell.number_format = fmt


def _bytes(wb) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def ledger_workbook(*, fiscal_year: FiscalYear) -> bytes:
    totals = selectors.year_totals(fiscal_year=fiscal_year)
    wb = Workbook()
    ws = _sheet(
        wb,
        _("经费台账"),
        [_("日期"), _("收支"), _("来源/类别"), _("对方"), _("摘要"), _("收入"), _("支出"), _("余额")],
        [12, 8, 22, 26, 30, 14, 14, 14],
        first=True,
    )
    xlsx.append(ws, ["", "", _("上年结转"), "", "", None, None, fiscal_year.opening_balance])
    for e in selectors.ledger(fiscal_year=fiscal_year):
        income = e.amount if e.amount >= 0 and e.kind != "expense" else None
        expense = -e.amount if e.kind == "expense" else None
        if e.kind == "payment" and e.amount < 0:  # a refund is negative income, recorded as such
            income = e.amount
        xlsx.append(
            ws,
            [
                e.day,
                _("支出") if e.kind == "expense" else _("收入"),
                e.label,
                e.counterpart,
                e.note,
                income,
                expense,
                e.balance,
            ],
        )
    xlsx.append(ws, ["", "", _("合计"), "", "", totals.income_total, totals.expense_total, totals.balance])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=2, max_col=1):
        if isinstance(row[0].value, datetime.date):
            row[0].number_format = "yyyy-mm-dd"
    _money_cols(ws, {6, 7, 8})

    ws = _sheet(wb, _("收支汇总"), [_("项目"), _("预算"), _("实际")], [28, 16, 16])
    xlsx.append(ws, [_("上年结转"), None, totals.opening])
    for line in totals.income:
        xlsx.append(ws, [_("收入：") + line.label, line.budget, line.actual])
    for line in totals.expense:
        xlsx.append(ws, [_("支出：") + line.label, line.budget, line.actual])
    xlsx.append(ws, [_("年末余额"), None, totals.balance])
    _money_cols(ws, {2, 3})
    return _bytes(wb)


def shares_workbook(*, fiscal_year: FiscalYear, today: datetime.date) -> bytes:
    status = selectors.share_status(fiscal_year=fiscal_year, today=today)
    wb = Workbook()
    ws = _sheet(
        wb,
        _("出资分摊"),
        [
            _("单位"),
            _("方式"),
            _("比例（%）或党员人数"),
            _("固定金额"),
            _("精确值"),
            _("舍入调整"),
            _("应缴"),
            _("已缴"),
            _("欠缴"),
            _("逾期天数"),
        ],
        [28, 10, 12, 14, 18, 14, 14, 14, 14, 10],
        first=True,
    )
    for r in status.rows:
        line: ShareLine | None = r.line
        xlsx.append(
            ws,
            [
                r.unit.name,
                line.get_kind_display() if line else _("未列入方案"),
                (line.members if line.kind == ShareLine.Kind.MEMBERS else line.percent) if line else None,
                line.fixed_amount if line else None,
                line.exact if line else None,
                line.adjustment if line else None,
                r.due,
                r.paid,
                r.outstanding,
                r.days_overdue or None,
            ],
        )
    xlsx.append(ws, [_("合计"), "", None, None, None, None, status.due, status.paid, status.outstanding, None])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    _money_cols(ws, {4, 7, 8, 9})
    _money_cols(ws, {5, 6}, EXACT_FORMAT)
    _money_cols(ws, {3}, "0.0000")
    if status.plan is not None:
        xlsx.append(ws, [])
        xlsx.append(
            ws,
            [
                _("依据：%(plan)s，应筹总额 %(total)s 元，缴纳期限 %(due)s；按最大余额法取整到分，合计等于应筹总额。")
                % {"plan": status.plan, "total": status.plan.total, "due": status.plan.due_on.isoformat()}
            ],
        )
    return _bytes(wb)
