"""In-service party members reporting to the community (在职党员进社区, R20)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from common.permissions import can_change, scoped
from common.views import scoped_get, scoped_get_for_change

from .. import selectors, services
from ..forms import MemberForm, MemberServiceForm
from ..models import InServiceMember
from ._base import committee_or_404, is_liaison, run_service


@login_required
def member_list(request):
    user = request.user
    committee = None if is_liaison(user) else committee_or_404(request)
    qs = scoped(user, InServiceMember.objects.select_related("unit", "grid").filter(is_active=True))
    if committee is not None:
        qs = qs.filter(unit__community_id=committee.community_id)
    members = list(qs.annotate(service_count=Count("services"), last_service=Max("services__served_on")))
    per_unit: dict[str, int] = {}
    for m in members:
        per_unit[m.unit.name] = per_unit.get(m.unit.name, 0) + 1
    return render(
        request,
        "cobuilding/member_list.html",
        {
            "committee": committee,
            "members": members,
            "per_unit": sorted(per_unit.items()),
            "can_create": can_change(user, InServiceMember),
        },
    )


@login_required
def member_create(request):
    user = request.user
    if not can_change(user, InServiceMember):
        raise PermissionDenied
    committee = committee_or_404(request)
    units = None if is_liaison(user) else selectors.committee_units(committee=committee)
    form = MemberForm(
        request.POST or None,
        community_id=committee.community_id,
        units=units,
        initial={"reported_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        unit = data.pop("unit", None) or user.unit
        member = run_service(form, lambda: services.member_register(actor=user, unit=unit, **data))
        if member is not None:
            messages.success(request, _("%(name)s 已登记报到。") % {"name": member.name})
            return redirect("cobuilding:member_detail", member.pk)
    return render(
        request,
        "cobuilding/form_page.html",
        {"form": form, "title": _("在职党员报到登记"), "submit": _("登记"), "back": "cobuilding:member_list"},
    )


@login_required
def member_detail(request, pk):
    user = request.user
    member = scoped_get(user, InServiceMember.objects.select_related("unit", "grid"), pk=pk)
    return render(
        request,
        "cobuilding/member_detail.html",
        {
            "member": member,
            "services": list(member.services.all()),
            "can_add": can_change(user, member),
            "form": MemberServiceForm(initial={"served_on": timezone.localdate()}),
        },
    )


@login_required
def member_service_add(request, pk):
    user = request.user
    member = scoped_get_for_change(user, InServiceMember.objects.select_related("unit"), pk=pk)
    form = MemberServiceForm(request.POST or None, initial={"served_on": timezone.localdate()})
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(form, lambda: services.member_service_add(actor=user, member=member, **form.cleaned_data))
    ):
        messages.success(request, _("服务记录已添加。"))
        return redirect("cobuilding:member_detail", member.pk)
    return render(
        request,
        "cobuilding/form_page.html",
        {
            "form": form,
            "title": _("添加服务记录"),
            "intro": member.name,
            "submit": _("添加"),
            "back": "cobuilding:member_list",
        },
    )


urlpatterns = [
    path("members/", member_list, name="member_list"),
    path("members/new/", member_create, name="member_create"),
    path("members/<int:pk>/", member_detail, name="member_detail"),
    path("members/<int:pk>/services/", member_service_add, name="member_service_add"),
]
