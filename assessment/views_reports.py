"""Report pages (R21, issue #6 items 5 and 6): the unit index, each unit's scoring sheet (HTML
print view and PDF), and the rankings of a committee, a township or the county (HTML, PDF,
Excel). Everything here is read-only: there is no form and no POST, for any role. Outside the
user's scope → 404 (``assessment.reports``)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from committees.models import Committee, Township
from common.permissions import role_of, scope_q
from common.views import pdf_response

from . import reports

PER_PAGE = 50


def _year(value, years: list[int]) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return years[0] if years else None
    return year


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


def _ranking_data(request) -> dict:
    kind, pk = request.GET.get("scope", ""), request.GET.get("id")
    if "pick" in request.GET:  # the page's one select: "township:5"
        kind, _sep, pk = request.GET["pick"].partition(":")
    scope = reports.ranking_scope(user=request.user, kind=kind, pk=pk)
    years = reports.ranking_years(scope=scope)
    year = _year(request.GET.get("year"), years)
    round_ = reports.round_for(county=scope.county, year=year) if year is not None else None
    data = reports.ranking(scope=scope, round_=round_)
    data.update(years=years, year=year, printed_at=timezone.now())
    data["title"] = reports.ranking_title(data)
    return data


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
        .select_related("community__township")
        .order_by("community__township__name", "community__name")
    )
    return {"townships": list(townships), "committees": list(committees), "may_county": role in ("admin", "county")}


@login_required
def ranking(request):
    data = _ranking_data(request)
    data.update(_scope_choices(request.user, data["scope"]))
    return render(request, "assessment/reports/ranking.html", data)


def _file_name(data: dict, extension: str) -> str:
    return f"{data['title']}.{extension}"


@login_required
def ranking_pdf(request):
    from common.pdf import render_pdf

    data = _ranking_data(request)
    return pdf_response(render_pdf("reports/assessment_ranking.html", data), _file_name(data, "pdf"))


@login_required
def ranking_xlsx(request):
    data = _ranking_data(request)
    response = HttpResponse(
        reports.ranking_workbook(data),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(True, _file_name(data, "xlsx"))
    return response
