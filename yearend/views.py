"""Thin views of the year-end report (R14).

Secretaries work on their own committee, township staff on their township's, the administrator on
all; county reviewers read and download in their county (403 on every POST); liaisons have no
committee scope, so every page is a 404 for them.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common import permissions
from common.audit import history_entries
from common.permissions import role_of
from common.views import add_service_errors, private_file_response

from . import evaluations, selectors, services
from .forms import EvaluationForm, PlanForm

READERS = ("township", "secretary", "county", "admin")


def _check_reader(user) -> None:
    if role_of(user) not in READERS:
        raise Http404


def _year(value) -> int:
    """A report year from the URL or the query string; 404 outside 2000..this year."""
    this_year = timezone.localdate().year
    try:
        year = int(value)
    except (TypeError, ValueError):
        return this_year
    if not 2000 <= year <= this_year:
        raise Http404
    return year


def _committee(request, pk: int, year: int, *, change: bool = False):
    _check_reader(request.user)
    _year(year)
    committee = selectors.committee_get(user=request.user, pk=pk)
    if change and not permissions.can_change(request.user, committee):
        raise PermissionDenied
    return committee


@login_required
def index(request):
    """Every committee in the user's scope with its report of the year, status and link."""
    _check_reader(request.user)
    year = _year(request.GET.get("year"))
    rows = selectors.committee_rows(user=request.user, year=year)
    this_year = timezone.localdate().year
    return render(
        request,
        "yearend/report_list.html",
        {
            "year": year,
            "years": list(range(this_year, this_year - 5, -1)),
            "rows": rows,
            "can_build_all": role_of(request.user) in ("township", "admin") and bool(rows),
            "can_ask": role_of(request.user) in ("county", "township", "admin"),
        },
    )


def _report_page(request, committee, year: int, form=None, status: int = 200, evaluation_form=None):
    report = selectors.report_for(committee=committee, year=year)
    can_change = permissions.can_change(request.user, committee)
    if form is None:
        form = PlanForm(initial={"next_year_plan": report.next_year_plan if report else ""})
    return render(
        request,
        "yearend/report_detail.html",
        {
            "committee": committee,
            "year": year,
            "report": report,
            "form": form,
            "can_change": can_change,
            "history": history_entries(report, limit=20) if report else [],
            # R14 (issue #11 item 16): the evaluation (接受评议) after the report
            "evaluations": evaluations.evaluations_of(report=report),
            "evaluation_form": evaluation_form
            or EvaluationForm(initial={"held_on": timezone.localdate(), "group": "party_members"}),
        },
        status=status,
    )


@login_required
def report(request, pk: int, year: int):
    committee = _committee(request, pk, year)
    return _report_page(request, committee, year)


@login_required
@require_POST
def plan(request, pk: int, year: int):
    """The secretary's next-year plan; the report takes it from its next build."""
    committee = _committee(request, pk, year, change=True)
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            services.report_plan_update(
                actor=request.user, committee=committee, year=year, text=form.cleaned_data["next_year_plan"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存明年工作计划。点击“重新生成”后报告采用新内容。"))
            return redirect("yearend:report", pk=committee.pk, year=year)
    return _report_page(request, committee, year, form=form)


@login_required
@require_POST
def evaluation(request, pk: int, year: int):
    """R14 (issue #11 item 16): record a group's evaluation of the report; refusals in Chinese."""
    committee = _committee(request, pk, year, change=True)
    form = EvaluationForm(request.POST)
    if form.is_valid():
        try:
            evaluations.evaluation_record(actor=request.user, committee=committee, year=year, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记评议结果。"))
            return redirect("yearend:report", pk=committee.pk, year=year)
    return _report_page(request, committee, year, status=400, evaluation_form=form)


@login_required
@require_POST
def request_build(request, pk: int, year: int):
    """生成报告 / 重新生成: idempotent, a build already under way is not started twice."""
    committee = _committee(request, pk, year, change=True)
    before = selectors.report_for(committee=committee, year=year)
    was_building = before is not None and before.is_polling
    try:
        asked = services.report_request(actor=request.user, committee=committee, year=year)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if asked.enqueued is not None and asked.enqueued.failed:
            messages.warning(request, _("后台服务暂时不可用：您的申请已记录，服务恢复后将自动生成，请稍后再来下载。"))
        elif was_building:
            messages.info(request, _("报告正在生成中，无需重复申请。"))
        else:
            messages.success(request, _("已开始生成报告，完成后可在本页下载。"))
    return redirect("yearend:report", pk=committee.pk, year=year)


@login_required
def status(request, pk: int, year: int):
    """The progress fragment the report page polls every 2 seconds (htmx) while it builds."""
    committee = _committee(request, pk, year)
    return render(
        request,
        "yearend/_status.html",
        {
            "committee": committee,
            "year": year,
            "report": selectors.report_for(committee=committee, year=year),
            "can_change": permissions.can_change(request.user, committee),
        },
    )


@login_required
def download(request, pk: int, year: int):
    _check_reader(request.user)
    _year(year)
    report = selectors.report_get_for_download(user=request.user, committee_pk=pk, year=year)
    return private_file_response(report.file, filename=report.filename, as_attachment=True)


@login_required
def download_docx(request, pk: int, year: int):
    """The Word copy of a ready report, built from the same data and template (issue #16)."""
    from common.docx import docx_response

    from . import documents

    _check_reader(request.user)
    _year(year)
    report = selectors.report_get_for_download(user=request.user, committee_pk=pk, year=year)
    content = documents.report_docx(committee=report.committee, year=year, next_year_plan=report.next_year_plan)
    return docx_response(content, documents.docx_filename(report.committee, year))


@login_required
@require_POST
def ask(request, pk: int, year: int):
    """R14: the county (or township staff) asks a committee for its missing report of the year."""
    _check_reader(request.user)
    committee = selectors.committee_get(user=request.user, pk=pk)
    year = _year(year)
    try:
        told = services.report_ask(actor=request.user, committee=committee, year=year)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已通知%(name)s报送报告（%(n)s人）。") % {"name": committee.name, "n": told})
    return redirect(reverse("yearend:index") + f"?year={year}")


@login_required
@require_POST
def request_all(request):
    """Township staff (and the administrator): ask for every committee's report of the year."""
    _check_reader(request.user)
    if role_of(request.user) not in ("township", "admin"):
        raise PermissionDenied
    year = _year(request.POST.get("year"))
    committees = [c for c, _report in selectors.committee_rows(user=request.user, year=year)]
    try:
        queued = services.reports_request_all(actor=request.user, committees=committees, year=year)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已申请生成%(n)s份报告。") % {"n": queued})
    return redirect(reverse("yearend:index") + f"?year={year}")
