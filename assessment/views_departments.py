"""The county's list of functional departments (职能部门, R21): read by the county's reviewers,
township staff and secretaries (another county's department is a 404), kept by whoever keeps
the schemes (the administrator; 403 for the others). Writes go through assessment.departments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from common.audit import history_entries
from common.views import add_service_errors, posted

from . import departments, selectors
from .forms import DepartmentForm


@login_required
def department_list(request):
    user = request.user
    if not selectors.may_read_departments(user):
        raise PermissionDenied
    context = {
        "departments": list(selectors.department_list(user=user)),
        "may_edit": selectors.may_edit_schemes(user),
    }
    return render(request, "assessment/department_list.html", context)


@login_required
def department_create(request):
    if not selectors.may_edit_schemes(request.user):
        raise PermissionDenied
    form = DepartmentForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            departments.department_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已新增职能部门。"))
            return redirect("assessment:department_list")
    context = {"form": form, "title": _("新增职能部门"), "history": None}
    return render(request, "assessment/department_form.html", context)


@login_required
def department_update(request, pk: int):
    user = request.user
    department = selectors.department_get(user=user, pk=pk)
    if not selectors.may_edit_schemes(user):
        raise PermissionDenied
    initial = {f: getattr(department, f) for f in departments.DEPARTMENT_FIELDS}
    initial["members"] = list(department.members.all())
    form = DepartmentForm(posted(request), initial=initial, editing=True, county=department.county)
    if request.method == "POST" and form.is_valid():
        try:
            departments.department_update(actor=user, department=department, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("assessment:department_list")
    context = {
        "form": form,
        "title": _("修改职能部门"),
        "department": department,
        "history": history_entries(department),
    }
    return render(request, "assessment/department_form.html", context)
