"""The audit administrator's pages: search the audit log and export it (item 8). Read only."""

import io

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook

from accounts.roles import AUDITOR, officer_only

from .forms import AuditFilterForm
from .selectors import audit_event_list

EXPORT_MAX_ROWS = 100_000
PER_PAGE = 50


@officer_only(AUDITOR)
def event_list(request):
    form = AuditFilterForm(request.GET or None)
    events = audit_event_list(**form.filters())
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/event_list.html", {"form": form, "page": page, "query": query.urlencode()})


@officer_only(AUDITOR)
def event_export(request):
    """The filtered log as xlsx (the export itself is recorded by the audit middleware)."""
    form = AuditFilterForm(request.GET or None)
    events = audit_event_list(**form.filters())[:EXPORT_MAX_ROWS]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("审计记录")
    sheet.append(["时间", "用户名", "地址", "事件", "结果", "页面", "说明"])
    event_labels = dict(events.model.Event.choices)
    outcome_labels = dict(events.model.Outcome.choices)
    for e in events.values_list("at", "username", "address", "event", "outcome", "path", "detail").iterator():
        at, username, address, event, outcome, page_path, detail = e
        sheet.append(
            [
                timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S"),
                username,
                address or "",
                str(event_labels.get(event, event)),
                str(outcome_labels.get(outcome, outcome)),
                page_path,
                detail,
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"审计记录-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


app_name = "audit"
urlpatterns = [
    path("", event_list, name="event_list"),
    path("export/", event_export, name="event_export"),
]
