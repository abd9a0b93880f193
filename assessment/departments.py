"""Every write to the county's list of functional departments (职能部门, R21): the departments
that carry community-building duties and are scored, like the resident units, on a 100-point
sheet in each scoring round. Who keeps the assessment schemes keeps this list (the
administrator, ``selectors.may_edit_schemes``); every change is audited (history)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from common.audit import set_actor
from common.services import apply_changes
from common.services import save_audited as _save

from .models import FunctionalDepartment
from .selectors import may_edit_schemes

DEPARTMENT_FIELDS = ("name", "duties", "order", "is_active")


def _require_keeper(actor) -> None:
    if not may_edit_schemes(actor):
        raise PermissionDenied(_("只有系统管理员可以维护职能部门名单。"))


def _clean(fields: dict) -> dict:
    for name in ("name", "duties"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    if "name" in fields and not fields["name"]:
        raise ValidationError({"name": _("请填写部门名称。")})
    if "duties" in fields and not fields["duties"]:
        raise ValidationError({"duties": _("请填写该部门承担的社区建设职责。")})
    if fields.get("order") is None and "order" in fields:
        fields["order"] = 0
    return fields


def _check_members(county_id: int, members) -> list:
    """R21 recusal: a department's people are county accounts of its own county."""
    members = list(members or [])
    strangers = [u for u in members if u.role != "county" or u.county_id != county_id]
    if strangers:
        raise ValidationError(
            {
                "members": _("“%(user)s”不是本县（区）的县级账号，不能登记为本部门人员。")
                % {"user": strangers[0].display_name}
            }
        )
    return members


def _set_members(department: FunctionalDepartment, members: list, actor) -> None:
    if {u.pk for u in members} == set(department.members.values_list("pk", flat=True)):
        return
    set_actor(department, actor, _("调整本部门人员账号"))
    department.members.set(members)


def _duplicate() -> ValidationError:
    return ValidationError({"name": _("本县（区）已有同名职能部门。")})


def _refuse_duplicate(county_id: int, name: str, exclude_pk=None) -> None:
    others = FunctionalDepartment.objects.filter(county_id=county_id, name=name)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise _duplicate()


@transaction.atomic
def department_create(*, actor, county, name: str, duties: str, order=0, is_active: bool = True, members=()):
    """R21: add a functional department to the county's list (with the county accounts that
    belong to it, recused from scoring it)."""
    _require_keeper(actor)
    fields = _clean({"name": name, "duties": duties, "order": order})
    _refuse_duplicate(county.pk, fields["name"])
    members = _check_members(county.pk, members)
    department = FunctionalDepartment(county=county, is_active=is_active, **fields)
    try:
        with transaction.atomic():
            _save(department, actor, reason=_("新增职能部门"))
    except IntegrityError as exc:
        raise _duplicate() from exc
    _set_members(department, members, actor)
    return department


@transaction.atomic
def department_update(*, actor, department: FunctionalDepartment, **fields) -> FunctionalDepartment:
    """R21: change a department's name, duties, order, or whether it takes part in new rounds
    (a department that leaves the list keeps the tasks and scores it already has)."""
    _require_keeper(actor)
    department = FunctionalDepartment.objects.select_for_update(of=("self",)).get(pk=department.pk)
    fields = _clean(dict(fields))
    members = fields.pop("members", None)
    if members is not None:
        members = _check_members(department.county_id, members)
    if "name" in fields:
        _refuse_duplicate(department.county_id, fields["name"], exclude_pk=department.pk)
    changed = apply_changes(department, fields, DEPARTMENT_FIELDS)
    if changed:
        try:
            with transaction.atomic():
                _save(department, actor, update_fields=changed, reason=_("修改职能部门"))
        except IntegrityError as exc:
            raise _duplicate() from exc
    if members is not None:
        _set_members(department, members, actor)
    return department
