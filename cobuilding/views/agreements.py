"""Co-building agreements (R15, R16): draft → sent to the unit → signed (scan uploaded) → expired;
renewal copies the last period's agreement as a draft."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.audit import history_entries
from common.params import id_param
from common.permissions import can_change, scoped
from common.views import scoped_get

from .. import selectors, services
from ..forms import AgreementForm, SignForm
from ..models import Agreement
from ._base import committee_or_404, is_liaison, require_reviewer, run_action, run_service, serve_file


def _agreement(user, pk) -> Agreement:
    return scoped_get(user, Agreement.objects.select_related("unit__community", "renewal_of"), pk=pk)


@login_required
def agreement_list(request):
    user = request.user
    committee = None if is_liaison(user) else committee_or_404(request)
    agreements = list(selectors.agreement_list(user=user, committee=committee))
    units_without = []
    if committee is not None:
        have = {a.unit_id for a in agreements}
        units_without = [u for u in scoped(user, selectors.committee_units(committee=committee)) if u.pk not in have]
    return render(
        request,
        "cobuilding/agreement_list.html",
        {
            "committee": committee,
            "agreements": agreements,
            "units_without": units_without,
            "reviewer": services.is_reviewer(user),
        },
    )


@login_required
def agreement_create(request):
    user = request.user
    require_reviewer(user)
    committee = committee_or_404(request)
    units = selectors.committee_units(committee=committee)
    today = timezone.localdate()
    initial = {
        "period_start": today.replace(month=1, day=1),
        "period_end": today.replace(month=12, day=31),
        "unit": id_param(request.GET.get("unit")),
    }
    form = AgreementForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        unit = data.pop("unit")
        agreement = run_service(form, lambda: services.agreement_create(actor=user, unit=unit, **data))
        if agreement is not None:
            messages.success(request, _("协议书草稿已保存。"))
            return redirect(agreement)
    return render(
        request,
        "cobuilding/form_page.html",
        {
            "form": form,
            "title": _("起草共驻共建协议书"),
            "intro": _("按“组织联建、党员联管、活动联办、资源联用、服务联动、保障联筹”六个方面写明单位的具体承诺。"),
            "submit": _("保存草稿"),
            "back": "cobuilding:agreement_list",
        },
    )


@login_required
def agreement_detail(request, pk):
    user = request.user
    agreement = _agreement(user, pk)
    reviewer = services.is_reviewer(user)
    renewal = Agreement.objects.filter(renewal_of=agreement).first()
    return render(
        request,
        "cobuilding/agreement_detail.html",
        {
            "agreement": agreement,
            "reviewer": reviewer,
            "can_renew": reviewer
            and renewal is None
            and agreement.status in (Agreement.Status.SIGNED, Agreement.Status.EXPIRED),
            "can_sign": can_change(user, agreement)
            and agreement.status in (Agreement.Status.SENT, Agreement.Status.SIGNED)
            and agreement.shown_status != Agreement.Status.EXPIRED,
            "renewal": renewal,
            "history": history_entries(agreement, limit=20),
        },
    )


@login_required
def agreement_update(request, pk):
    user = request.user
    agreement = _agreement(user, pk)
    require_reviewer(user)
    if agreement.status != Agreement.Status.DRAFT:
        messages.warning(request, _("协议书已送达单位，不能再修改条款。"))
        return redirect(agreement)
    form = AgreementForm(request.POST or None, instance=agreement)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(form, lambda: services.agreement_update(actor=user, agreement=agreement, **form.cleaned_data))
    ):
        messages.success(request, _("已保存。"))
        return redirect(agreement)
    return render(
        request,
        "cobuilding/form_page.html",
        {
            "form": form,
            "title": _("修改协议书"),
            "submit": _("保存"),
            "back": "cobuilding:agreement_list",
            "back_url": agreement.get_absolute_url(),
        },
    )


@require_POST
@login_required
def agreement_send(request, pk):
    user = request.user
    agreement = _agreement(user, pk)
    require_reviewer(user)
    if run_action(request, lambda: services.agreement_send(actor=user, agreement=agreement)):
        messages.success(request, _("协议书已送达%(unit)s，联络员会收到通知。") % {"unit": agreement.unit.name})
    return redirect(agreement)


@login_required
def agreement_sign(request, pk):
    """R16: the unit's liaison (or the community) uploads the signed and sealed scan."""
    user = request.user
    agreement = _agreement(user, pk)
    if not can_change(user, agreement):
        raise PermissionDenied
    form = SignForm(request.POST or None, request.FILES or None, initial={"signed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        signed = run_service(
            form,
            lambda: services.agreement_sign(
                actor=user,
                agreement=agreement,
                signed_on=form.cleaned_data["signed_on"],
                scan=form.cleaned_data["scan"],
            ),
        )
        if signed is not None:
            messages.success(request, _("已上传签订的协议书，谢谢！"))
            return redirect(signed)
    return render(
        request,
        "cobuilding/form_page.html",
        {
            "form": form,
            "title": _("上传签订的协议书"),
            "intro": str(agreement),
            "submit": _("上传"),
            "multipart": True,
            "back": "cobuilding:agreement_list",
            "back_url": agreement.get_absolute_url(),
        },
    )


@require_POST
@login_required
def agreement_renew(request, pk):
    user = request.user
    agreement = _agreement(user, pk)
    require_reviewer(user)
    renewal = run_action(request, lambda: services.agreement_renew(actor=user, agreement=agreement))
    if renewal is None:
        return redirect(agreement)
    messages.success(request, _("已按上期协议生成续签草稿，请核对后送达单位。"))
    return redirect(renewal)


@login_required
def agreement_scan(request, pk):
    agreement = _agreement(request.user, pk)
    return serve_file(agreement.scan, agreement.scan_name)


@login_required
def agreement_scan_version(request, pk, history_id):
    """An earlier scan, kept in the history after a re-upload."""
    agreement = _agreement(request.user, pk)
    record = get_object_or_404(agreement.history, history_id=history_id)
    # The history keeps the file's name (a text column); open it through the live field's storage.
    scan = agreement.scan
    return serve_file(type(scan)(agreement, scan.field, record.scan), record.scan_name)


urlpatterns = [
    path("agreements/", agreement_list, name="agreement_list"),
    path("agreements/new/", agreement_create, name="agreement_create"),
    path("agreements/<int:pk>/", agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/edit/", agreement_update, name="agreement_update"),
    path("agreements/<int:pk>/send/", agreement_send, name="agreement_send"),
    path("agreements/<int:pk>/sign/", agreement_sign, name="agreement_sign"),
    path("agreements/<int:pk>/renew/", agreement_renew, name="agreement_renew"),
    path("agreements/<int:pk>/scan/", agreement_scan, name="agreement_scan"),
    path("agreements/<int:pk>/scan/<int:history_id>/", agreement_scan_version, name="agreement_scan_version"),
]
