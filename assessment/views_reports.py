"""Report pages (R21, issue #6 items 5 and 6): the unit index, each unit's scoring sheet (HTML
print view and PDF), and the rankings of a committee, a township or the county (HTML, PDF,
Excel). Everything here is read-only on the scoring data. The one POST asks for a large ranking
PDF to be built in the background (``assessment.ranking_files``): it changes no scoring data, so
every role that may read the ranking may ask, county reviewers included. Outside the user's
scope → 404 (``assessment.reports``)."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from committees.models import Committee, Township
from common.params import year_param
from common.permissions import role_of, scope_q
from common.views import pdf_response, private_file_response

from . import ranking_files, reports
from .models import RankingFile

PER_PAGE = 50


def _year(value, years: list[int]) -> int | None:
    return year_param(value, default=years[0] if years else None)


@login_required
def report_index(request):
    """Find a unit in two clicks: the nav link, then the unit's name (a liaison sees their own
    unit's sheet here once the round is released)."""
    user = request.user
    years = reports.report_years(user=user)
    year = _year(request.GET.get("year"), years)
    search = request.GET.get("q", "").strip()
    page = None
    if year is not None:
        page = Paginator(reports.report_task_list(user=user, year=year, search=search), PER_PAGE).get_page(
            request.GET.get("page")
        )
    context = {
        "years": years,
        "year": year,
        "search": search,
        "page": page,
        "may_rank": role_of(user) in ("admin", "county", "township", "secretary"),
    }
    return render(request, "assessment/reports/index.html", context)


def _sheet_context(request, pk):
    task = reports.report_task_get(user=request.user, pk=pk)
    context = reports.unit_sheet(task)
    context["printed_at"] = timezone.now()
    return context


@login_required
def unit_sheet(request, pk: int):
    return render(request, "assessment/reports/unit_sheet.html", _sheet_context(request, pk))


@login_required
def unit_sheet_pdf(request, pk: int):
    from common.pdf import render_pdf

    context = _sheet_context(request, pk)
    content = render_pdf("reports/assessment_sheet.html", context)
    name = _("%(unit)s-%(year)s年度考核评分表.pdf") % {"unit": context["unit"].name, "year": context["round"].year}
    return pdf_response(content, name)


@login_required
def unit_sheet_docx(request, pk: int):
    """The sheet as an editable Word copy, from the same HTML as the PDF (issue #16 item 8)."""
    from django.template.loader import render_to_string

    from common.docx import SHEET, docx_response, html_to_docx

    context = _sheet_context(request, pk)
    unit, year = context["unit"].name, context["round"].year
    header = _("%(unit)s　%(year)s年度“双百分”考核评分表") % {"unit": unit, "year": year}
    document = html_to_docx(
        render_to_string("reports/assessment_sheet.html", context), layout=SHEET, title=header, running_header=header
    )
    name = _("%(unit)s-%(year)s年度考核评分表.docx") % {"unit": unit, "year": year}
    return docx_response(document.to_bytes(), name)


def _ranking_data(request, *, paged: bool = False) -> dict:
    kind, pk = request.GET.get("scope", ""), request.GET.get("id")
    if "pick" in request.GET:  # the page's one select: "township:5"
        kind, _sep, pk = request.GET["pick"].partition(":")
    scope = reports.ranking_scope(user=request.user, kind=kind, pk=pk)
    years = reports.ranking_years(scope=scope)
    year = _year(request.GET.get("year"), years)
    round_ = reports.round_for(county=scope.county, year=year) if year is not None else None
    page = (request.GET.get("page") or 1) if paged else None
    data = reports.ranking_document(scope=scope, round_=round_, page=page)
    data.update(years=years, year=year)
    return data


def _is_large(data: dict) -> bool:
    """A ranking with more rows than ``RANKING_PDF_SYNC_MAX`` is printed in the background."""
    return data["total"] > settings.RANKING_PDF_SYNC_MAX


def _file_state(scope, round_) -> dict:
    """The stored PDF of a ranking and whether newer data has made it stale (one query, two with a
    ready file)."""
    ranking_file = ranking_files.ranking_file_get(round=round_, scope=scope) if round_ is not None else None
    stale = False
    if ranking_file is not None and ranking_file.status == RankingFile.Status.READY:
        stamp = reports.ranking_data_stamp(scope=scope, round_=round_)
        stale = ranking_files.ranking_file_is_stale(ranking_file=ranking_file, stamp=stamp)
    return {"ranking_file": ranking_file, "stale": stale}


def _scope_choices(user, scope) -> dict:
    """The townships and committees the user may switch to (two queries)."""
    role = role_of(user)
    townships = Township.objects.none()
    if role in ("admin", "county"):
        townships = Township.objects.filter(county=scope.county).order_by("name")
    elif role == "township":
        townships = Township.objects.filter(pk=user.township_id)
    committees = (
        Committee.objects.filter(scope_q(user, Committee), is_active=True, community__township__county=scope.county)
        .order_by("community__township__name", "community__name")
        .values_list("pk", "community__township__name", "name")
    )
    picked = scope.obj.pk if scope.kind == "committee" else None
    return {
        "townships": list(townships),
        # (value, label, selected): a county lists hundreds, so the labels are made here
        "committees": [(f"committee:{pk}", f"{township} · {name}", pk == picked) for pk, township, name in committees],
        "may_county": role in ("admin", "county"),
    }


@login_required
def ranking(request):
    # A county has thousands of finalised units: the page shows them 100 at a time (ranks and the
    # distribution are of all of them); the PDF and the Excel file list every one.
    data = _ranking_data(request, paged=True)
    data.update(_scope_choices(request.user, data["scope"]))
    data["pdf_async"] = _is_large(data)
    data.update(_file_state(data["scope"], data["round"]))
    data["scope_query"] = _scope_query(data["scope"], data["round"])
    return render(request, "assessment/reports/ranking.html", data)


def _file_name(data: dict, extension: str) -> str:
    return f"{data['title']}.{extension}"


@login_required
def ranking_pdf(request):
    """A ranking of at most ``RANKING_PDF_SYNC_MAX`` units at once; a larger one is built in the
    background: this sends the reader to its file page (progress, download)."""
    data = _ranking_data(request)
    if data["round"] is not None and _is_large(data):
        return redirect(_file_url("assessment:ranking_file", data["scope"], data["round"]))
    return pdf_response(reports.ranking_pdf(data), _file_name(data, "pdf"))


# --- large ranking PDFs built in the background ---------------------------------------------------


def _scope_query(scope, round_) -> str:
    if round_ is None:
        return ""
    return urlencode({"year": round_.year, "scope": scope.kind, "id": scope.obj.pk})


def _file_url(name: str, scope, round_) -> str:
    return f"{reverse(name)}?{_scope_query(scope, round_)}"


def _file_scope(request, params) -> tuple:
    """The scope and round a ranking file URL names (``year``, ``scope``, ``id``), checked with the
    same rule as the ranking page: outside the user's scope, or no such round → 404."""
    scope = reports.ranking_scope(user=request.user, kind=params.get("scope", ""), pk=params.get("id"))
    try:
        year = int(params.get("year", ""))
    except ValueError as exc:
        raise Http404 from exc
    round_ = reports.round_for(county=scope.county, year=year)
    if round_ is None:
        raise Http404
    return scope, round_


def _file_context(request, scope, round_) -> dict:
    return {
        "scope": scope,
        "round": round_,
        "year": round_.year,
        "title": reports.ranking_title({"scope": scope, "round": round_}),
        "scope_query": _scope_query(scope, round_),
        **_file_state(scope, round_),
    }


@login_required
def ranking_file(request):
    """The page of a large ranking's PDF: "排名表正在生成" with a progress fragment the page polls
    (htmx, every 2 s) while it builds, the download link when it is ready, "重新生成" when the data
    changed after it was built or the build failed."""
    scope, round_ = _file_scope(request, request.GET)
    return render(request, "assessment/reports/ranking_file.html", _file_context(request, scope, round_))


@login_required
def ranking_file_status(request):
    scope, round_ = _file_scope(request, request.GET)
    return render(request, "assessment/reports/_ranking_file_status.html", _file_context(request, scope, round_))


@login_required
@require_POST
def ranking_file_request(request):
    """生成PDF / 重新生成: idempotent, a build under way is not started twice."""
    scope, round_ = _file_scope(request, request.POST)
    before = ranking_files.ranking_file_get(round=round_, scope=scope)
    was_building = before is not None and before.is_polling
    try:
        asked = ranking_files.ranking_file_request(actor=request.user, round=round_, scope=scope)
    except PermissionDenied as exc:  # the scope check above already 404s whoever may not read it
        raise Http404 from exc
    if asked.enqueued is not None and asked.enqueued.failed:
        messages.warning(request, _("后台服务暂时不可用：您的申请已记录，服务恢复后将自动生成，请稍后再来下载。"))
    elif was_building:
        messages.info(request, _("排名表正在生成中，无需重复申请。"))
    else:
        messages.success(request, _("已开始生成排名表，完成后可在本页下载。"))
    return redirect(_file_url("assessment:ranking_file", scope, round_))


@login_required
def ranking_file_download(request):
    """The stored PDF, for whoever may read the ranking (a stale one too: the page says so)."""
    scope, round_ = _file_scope(request, request.GET)
    stored = ranking_files.ranking_file_get(round=round_, scope=scope)
    if stored is None or stored.status != RankingFile.Status.READY:
        raise Http404
    title = reports.ranking_title({"scope": scope, "round": round_})
    return private_file_response(stored.file, filename=f"{title}.pdf", as_attachment=True)


@login_required
def ranking_xlsx(request):
    data = _ranking_data(request)
    response = HttpResponse(
        reports.ranking_workbook(data),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(True, _file_name(data, "xlsx"))
    return response
