"""The liaison's workspace and the committee overview (table, charts, Excel export)."""

import io

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from common import xlsx
from common.params import year_param

from .. import selectors
from ..models import PledgeKind
from ._base import committee_or_404, is_liaison


@login_required
def workspace(request):
    """A liaison sees only their own unit, with the next step at the top; others go to the overview."""
    if not is_liaison(request.user):
        return redirect("cobuilding:overview")
    ws = selectors.workspace_get(user=request.user)
    return render(request, "cobuilding/workspace.html", {"ws": ws})


def _overview(request):
    committee = committee_or_404(request)
    year = year_param(request.GET.get("year"), default=timezone.localdate().year)
    return selectors.overview_get(user=request.user, committee=committee, year=year)


@login_required
def overview(request):
    if is_liaison(request.user):
        return redirect("cobuilding:workspace")
    ov = _overview(request)
    return render(
        request,
        "cobuilding/overview.html",
        {
            "ov": ov,
            "committees": list(selectors.committee_choices(user=request.user)),
            "years": range(timezone.localdate().year + 1, timezone.localdate().year - 5, -1),
        },
    )


@login_required
def overview_export(request):
    """The overview as an Excel sheet, the same figures as the page."""
    if is_liaison(request.user):
        return redirect("cobuilding:workspace")
    ov = _overview(request)
    wb = Workbook()
    ws = wb.active
    ws.title = _("共驻共建概况")[:31]
    title = _("%(committee)s %(year)s年度共驻共建情况") % {"committee": ov.committee.name, "year": ov.year}
    headers = [
        _("单位"),
        _("协议书"),
        *[str(label) for label in PledgeKind.labels],
        _("承诺合计"),
        _("承诺价值（元）"),
        _("已兑现（元）"),
        _("兑现率（%）"),
        _("认领项目"),
        _("完成项目"),
        _("奉献日第一次（人）"),
        _("奉献日第二次（人）"),
        _("在职党员报到"),
        _("双向承诺（完成/合计）"),
    ]
    xlsx.append(ws, [title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    xlsx.append(ws, headers)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in ov.rows:
        xlsx.append(
            ws,
            [
                row.unit.name,
                str(row.agreement_status),
                *row.kind_counts(),
                row.pledges,
                row.pledged_value,
                row.delivered,
                row.percent if row.percent is not None else "",
                row.claimed,
                row.completed,
                row.dedication.get(1, ""),
                row.dedication.get(2, ""),
                row.members,
                f"{row.commitments_done}/{row.commitments}",
            ],
        )
    money_cols = (len(PledgeKind.labels) + 4, len(PledgeKind.labels) + 5)
    for col in money_cols:
        for cell in ws.iter_cols(min_col=col, max_col=col, min_row=3):
            for c in cell:
                c.number_format = "#,##0.00"
    ws.column_dimensions["A"].width = 28
    for i in range(2, len(headers) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 12
    ws.freeze_panes = "B3"
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = _("%(committee)s%(year)s年共驻共建情况.xlsx") % {"committee": ov.committee.name, "year": ov.year}
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
def unit_cobuilding(request, pk):
    """One unit's co-building figures (participation in dedication days shows here, R18)."""
    year = year_param(request.GET.get("year"), default=timezone.localdate().year)
    row = selectors.unit_summary(user=request.user, unit_id=pk, year=year)
    return render(request, "cobuilding/unit_cobuilding.html", {"row": row, "year": year})


urlpatterns = [
    path("", workspace, name="workspace"),
    path("overview/", overview, name="overview"),
    path("overview/export.xlsx", overview_export, name="overview_export"),
    path("units/<int:pk>/", unit_cobuilding, name="unit_cobuilding"),
]
