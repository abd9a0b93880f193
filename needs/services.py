"""Every write of the needs list (R28): collect, merge duplicates, ask a unit or make a project,
the unit's answer, handling, completion and the return visit; the units' standing resources.

Township staff and the secretary run the needs of their scope; a unit's liaison answers the
requests to their unit, reports its handling and keeps the unit's resources current; county
reviewers read. A suggestion of units is only a suggestion: nothing is assigned without a person.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from committees.models import Committee, Grid, Unit
from common import permissions
from common.audit import set_actor
from common.text import inner_quotes

from .models import Need, NeedRequest, Resource

RUNNERS = ("admin", "township", "secretary")

# Which pledge kinds (R17) serve which need categories, for the suggestions.
PLEDGE_KINDS_FOR = {
    "elderly": {"talent", "material", "funds"},
    "children": {"education", "talent", "venue"},
    "environment": {"material", "funds", "technology"},
    "traffic": {"venue", "policy"},
    "jobs": {"information", "talent", "policy"},
    "culture": {"venue", "education"},
    "safety": {"technology", "information"},
    "health": {"talent", "technology"},
}


def _enqueue(**kwargs):
    from inbox.services import message_enqueue

    return message_enqueue(**kwargs)


def is_runner(user) -> bool:
    return permissions.role_of(user) in RUNNERS


def _require_runner(actor, committee: Committee) -> None:
    if not is_runner(actor) or not permissions.can_view(actor, committee):
        raise PermissionDenied


def _require_unit_side(actor, need: Need) -> None:
    """The claiming unit's liaison, or the community side, moves a claimed need on."""
    if permissions.role_of(actor) == "liaison":
        if need.unit_id is None or need.unit_id != actor.unit_id:
            raise PermissionDenied
        return
    _require_runner(actor, need.committee)


def _save(obj, actor, update_fields=None):
    set_actor(obj, actor)
    obj.full_clean(validate_constraints=False)
    obj.save(update_fields=update_fields)
    return obj


def _lock(need: Need) -> Need:
    return Need.objects.select_for_update().select_related("committee").get(pk=need.pk)


def _require_status(need: Need, allowed, message: str) -> None:
    if need.status not in allowed:
        raise ValidationError(message % {"status": need.get_status_display()})


def _secretaries(committee: Committee):
    return User.objects.filter(role=User.Role.SECRETARY, community_id=committee.community_id, is_active=True).order_by(
        "pk"
    )


def _liaisons(unit_id: int):
    return User.objects.filter(role=User.Role.LIAISON, unit_id=unit_id, is_active=True).order_by("pk")


def _tell(users, *, key: str, subject: str, body: str, url: str) -> None:
    for user in users:
        _enqueue(key=f"{key}:user:{user.pk}", recipient=user, subject=subject, body=body, url=url, kind="need")


def half_of(day: datetime.date) -> int:
    return 1 if day.month <= 6 else 2


# --- collecting --------------------------------------------------------------------------------------


@transaction.atomic
def need_collect(
    *,
    actor,
    committee: Committee,
    title: str,
    category: str,
    asked_by: str,
    collected_on: datetime.date,
    description: str = "",
    urgency: str = Need.Urgency.NORMAL,
    grid: Grid | None = None,
    building: str = "",
    asked_phone: str = "",
) -> Need:
    """R28: a resident's need, collected by the secretary (or township staff) in the half-year's
    round, with where it comes from and who asked."""
    _require_runner(actor, committee)
    if grid is not None and grid.community_id != committee.community_id:
        raise ValidationError({"grid": _("网格须属于本社区。")})
    need = Need(
        committee=committee,
        year=collected_on.year,
        half=half_of(collected_on),
        title=title.strip(),
        description=description.strip(),
        category=category,
        urgency=urgency,
        grid=grid,
        building=building.strip(),
        asked_by=asked_by.strip(),
        asked_phone=asked_phone.strip(),
        collected_on=collected_on,
        entered_by=actor,
    )
    return _save(need, actor)


@transaction.atomic
def need_merge(*, actor, duplicate: Need, into: Need) -> Need:
    """R28: a need collected twice is merged into the first: it keeps its history and points to
    the one that goes on."""
    _require_runner(actor, duplicate.committee)
    if duplicate.pk == into.pk:
        raise ValidationError(_("不能与自身合并。"))
    duplicate, into = _lock(duplicate), _lock(into)
    if duplicate.committee_id != into.committee_id:
        raise ValidationError(_("只能合并同一大党委的需求。"))
    _require_status(duplicate, [Need.Status.COLLECTED], _("需求处于“%(status)s”状态，不能合并。"))
    if into.status == Need.Status.MERGED:
        raise ValidationError(_("目标需求已被合并，请选择合并后的那一条。"))
    duplicate.status = Need.Status.MERGED
    duplicate.merged_into = into
    _save(duplicate, actor, ["status", "merged_into", "updated_at"])
    NeedRequest.objects.filter(need=duplicate, status=NeedRequest.Status.ASKED).update(
        status=NeedRequest.Status.DECLINED, reason=_("需求已合并")
    )
    return duplicate


# --- suggestions ---------------------------------------------------------------------------------------


@dataclass
class Suggestion:
    unit: Unit
    reasons: list[str] = field(default_factory=list)


def suggest_units(need: Need, *, limit: int = 8) -> list[Suggestion]:
    """Units whose resources or accepted pledges fit the need's category, in the need's grid, or
    that took on needs before — each with the reasons, in three queries. A suggestion only."""
    from cobuilding.models import Pledge

    units = {
        u.pk: Suggestion(unit=u)
        for u in Unit.objects.filter(community_id=need.committee.community_id, is_active=True).order_by("name")
    }
    fitting = Resource.objects.filter(unit_id__in=units, available=True, categories__contains=need.category)
    for unit_id, title in fitting.values_list("unit_id", "title"):
        units[unit_id].reasons.append(_("可提供：%(title)s") % {"title": title})
    kinds = PLEDGE_KINDS_FOR.get(need.category, set())
    pledged = (
        Pledge.objects.filter(unit_id__in=units, kind__in=kinds, status__in=("accepted", "fulfilled"))
        .values("unit_id", "kind")
        .distinct()
    )
    labels = dict(Pledge._meta.get_field("kind").choices)
    for row in pledged:
        units[row["unit_id"]].reasons.append(_("承诺%(kind)s支持") % {"kind": labels.get(row["kind"], row["kind"])})
    if need.grid_id:
        for s in units.values():
            if s.unit.grid_id == need.grid_id:
                s.reasons.append(_("同一网格"))
    done = (
        Need.objects.filter(unit_id__in=units, status__in=(Need.Status.DONE, Need.Status.VISITED))
        .values("unit_id")
        .annotate(n=Count("pk"))
    )
    for row in done:
        units[row["unit_id"]].reasons.append(_("已办结需求%(n)s件") % {"n": row["n"]})
    found = [s for s in units.values() if s.reasons]
    found.sort(key=lambda s: (-len(s.reasons), s.unit.name))
    return found[:limit]


# --- asking a unit, or a project ------------------------------------------------------------------------


@transaction.atomic
def need_request(*, actor, need: Need, unit: Unit, note: str = "") -> NeedRequest:
    """R28/R17: the secretary asks one unit to take the need on; its liaisons are told."""
    _require_runner(actor, need.committee)
    need = _lock(need)
    _require_status(need, [Need.Status.COLLECTED], _("需求处于“%(status)s”状态，不能再请单位认领。"))
    if unit.community_id != need.committee.community_id:
        raise ValidationError({"unit": _("只能请本社区的成员单位认领。")})
    request = NeedRequest(need=need, unit=unit, note=note.strip(), asked_by=actor)
    try:
        with transaction.atomic():
            _save(request, actor)
    except IntegrityError as exc:
        raise ValidationError(_("该需求已有单位尚未答复的认领请求。")) from exc
    _tell(
        _liaisons(unit.pk),
        key=f"need:{need.pk}:request:{request.pk}",
        subject=_("请认领居民需求"),
        body=_("社区请贵单位认领居民需求“%(title)s”，请登录平台接受或说明原因。") % {"title": inner_quotes(need.title)},
        url=reverse("needs:need_detail", args=[need.pk]),
    )
    return request


def _answerable(actor, request: NeedRequest) -> None:
    role = permissions.role_of(actor)
    if role == "liaison":
        if actor.unit_id != request.unit_id:
            raise PermissionDenied
    else:
        _require_runner(actor, request.need.committee)


@transaction.atomic
def request_accept(*, actor, request: NeedRequest, now: datetime.datetime | None = None) -> NeedRequest:
    """The unit takes the need on: the need is claimed (认领) by that unit."""
    _answerable(actor, request)
    need = _lock(request.need)
    request = NeedRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != NeedRequest.Status.ASKED:
        raise ValidationError(_("该请求已答复。"))
    _require_status(need, [Need.Status.COLLECTED], _("需求处于“%(status)s”状态，不能再认领。"))
    request.status = NeedRequest.Status.ACCEPTED
    request.answered_by = actor
    request.answered_at = now or timezone.now()
    _save(request, actor, ["status", "answered_by", "answered_at", "updated_at"])
    need.unit = request.unit
    need.status = Need.Status.CLAIMED
    _save(need, actor, ["unit", "status", "updated_at"])
    _tell(
        _secretaries(need.committee),
        key=f"need:{need.pk}:request:{request.pk}:accepted",
        subject=_("单位已认领居民需求"),
        body=_("%(unit)s已认领居民需求“%(title)s”。") % {"unit": request.unit.name, "title": inner_quotes(need.title)},
        url=reverse("needs:need_detail", args=[need.pk]),
    )
    return request


@transaction.atomic
def request_decline(*, actor, request: NeedRequest, reason: str, now: datetime.datetime | None = None) -> NeedRequest:
    """The unit declines with a reason; the need stays collected for another match."""
    _answerable(actor, request)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("婉拒须说明理由。")})
    request = NeedRequest.objects.select_for_update().select_related("need__committee").get(pk=request.pk)
    if request.status != NeedRequest.Status.ASKED:
        raise ValidationError(_("该请求已答复。"))
    request.status = NeedRequest.Status.DECLINED
    request.reason = reason
    request.answered_by = actor
    request.answered_at = now or timezone.now()
    _save(request, actor, ["status", "reason", "answered_by", "answered_at", "updated_at"])
    need = request.need
    _tell(
        _secretaries(need.committee),
        key=f"need:{need.pk}:request:{request.pk}:declined",
        subject=_("单位婉拒认领居民需求"),
        body=_("%(unit)s婉拒认领“%(title)s”，理由：%(reason)s")
        % {"unit": request.unit.name, "title": inner_quotes(need.title), "reason": reason},
        url=reverse("needs:need_detail", args=[need.pk]),
    )
    return request


@transaction.atomic
def need_to_project(
    *,
    actor,
    need: Need,
    claim_by: datetime.date,
    deadline: datetime.date,
    place: str,
    today: datetime.date,
):
    """R28/R17: a need becomes a public-benefit project that units claim; the need is taken on
    (认领) by the committee through that project."""
    from cobuilding.services import project_publish

    _require_runner(actor, need.committee)
    need = _lock(need)
    _require_status(need, [Need.Status.COLLECTED], _("需求处于“%(status)s”状态，不能再转为公益项目。"))
    if claim_by < today:
        raise ValidationError({"claim_by": _("认领截止日期不能早于今天。")})
    project = project_publish(
        actor=actor,
        committee=need.committee,
        title=need.title[:100],
        need=need.description or need.title,
        place=place or need.building or (need.grid.name if need.grid_id else need.committee.community.name),
        claim_by=claim_by,
        deadline=deadline,
    )
    need.project = project
    need.status = Need.Status.CLAIMED
    _save(need, actor, ["project", "status", "updated_at"])
    NeedRequest.objects.filter(need=need, status=NeedRequest.Status.ASKED).update(
        status=NeedRequest.Status.DECLINED, reason=_("已转为公益项目")
    )
    return project


# --- handling to the end ----------------------------------------------------------------------------------


@transaction.atomic
def need_start(*, actor, need: Need) -> Need:
    _require_unit_side(actor, need)
    need = _lock(need)
    _require_status(need, [Need.Status.CLAIMED], _("需求处于“%(status)s”状态，不能开始办理。"))
    need.status = Need.Status.IN_PROGRESS
    return _save(need, actor, ["status", "updated_at"])


@transaction.atomic
def need_done(*, actor, need: Need, done_on: datetime.date, note: str, today: datetime.date) -> Need:
    _require_unit_side(actor, need)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请写明办理结果。")})
    if done_on > today:
        raise ValidationError({"done_on": _("办结日期不能晚于今天。")})
    need = _lock(need)
    _require_status(need, [Need.Status.CLAIMED, Need.Status.IN_PROGRESS], _("需求处于“%(status)s”状态，不能办结。"))
    if done_on < need.collected_on:
        raise ValidationError({"done_on": _("办结日期不能早于收集日期。")})
    need.status = Need.Status.DONE
    need.done_on = done_on
    need.done_note = note
    _save(need, actor, ["status", "done_on", "done_note", "updated_at"])
    _tell(
        _secretaries(need.committee),
        key=f"need:{need.pk}:done",
        subject=_("居民需求已办结，请回访"),
        body=_("居民需求“%(title)s”已办结，请回访%(who)s并记录意见。")
        % {"title": inner_quotes(need.title), "who": need.asked_by},
        url=reverse("needs:need_detail", args=[need.pk]),
    )
    return need


@transaction.atomic
def need_visit(*, actor, need: Need, satisfied: bool, note: str = "") -> Need:
    """R28: the community visits the resident and records the feedback; the need is closed."""
    _require_runner(actor, need.committee)
    need = _lock(need)
    _require_status(need, [Need.Status.DONE], _("需求处于“%(status)s”状态，尚不能回访。"))
    note = (note or "").strip()
    if not satisfied and not note:
        raise ValidationError({"note": _("居民不满意时请记录其意见。")})
    need.status = Need.Status.VISITED
    need.feedback_satisfied = satisfied
    need.feedback_note = note
    return _save(need, actor, ["status", "feedback_satisfied", "feedback_note", "updated_at"])


# --- resources ---------------------------------------------------------------------------------------------


def _require_unit(actor, unit: Unit) -> None:
    if permissions.role_of(actor) == "liaison":
        if actor.unit_id != unit.pk:
            raise PermissionDenied
        return
    if not is_runner(actor) or not permissions.can_view(actor, unit):
        raise PermissionDenied


@transaction.atomic
def resource_save(
    *,
    actor,
    unit: Unit,
    kind: str,
    title: str,
    description: str = "",
    categories=(),
    available: bool = True,
    resource: Resource | None = None,
) -> Resource:
    """A unit's standing resource (场地、车辆、志愿者、技能…), kept current by its liaison."""
    _require_unit(actor, unit)
    if resource is not None and resource.unit_id != unit.pk:
        raise PermissionDenied
    resource = resource or Resource(unit=unit)
    resource.kind = kind
    resource.title = title.strip()
    resource.description = description.strip()
    resource.categories = ",".join(categories)
    resource.available = available
    try:
        with transaction.atomic():
            return _save(resource, actor)
    except IntegrityError as exc:
        raise ValidationError({"title": _("本单位已有同名资源。")}) from exc


@transaction.atomic
def resource_delete(*, actor, resource: Resource) -> None:
    _require_unit(actor, resource.unit)
    set_actor(resource, actor)
    resource.delete()


def open_by_age(*, committee_ids, today: datetime.date) -> dict[int, dict[str, int]]:
    """Open needs per committee by age (within 30 days, 30–90 days, over 90 days), one query."""
    d30, d90 = today - datetime.timedelta(days=30), today - datetime.timedelta(days=90)
    rows = (
        Need.objects.filter(committee_id__in=committee_ids, status__in=Need.OPEN)
        .values("committee_id")
        .annotate(
            fresh=Count("pk", filter=Q(collected_on__gt=d30)),
            ageing=Count("pk", filter=Q(collected_on__lte=d30, collected_on__gt=d90)),
            old=Count("pk", filter=Q(collected_on__lte=d90)),
        )
    )
    return {r["committee_id"]: {"fresh": r["fresh"], "ageing": r["ageing"], "old": r["old"]} for r in rows}
