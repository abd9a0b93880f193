"""Every write to the R21 schemes. A published scheme is immutable: each edit service refuses,
and a change is :func:`scheme_new_version` (the whole tree copied into a draft version + 1).

Township refinements (R21: "a scheme per year and county (township schemes may refine it)"):
:func:`scheme_refine` copies a published county scheme into a draft of one township, edited
by that township's staff (and the administrator). What a refinement may change:

- on the county's items: the scoring guidance, the evidence required and the data source, the
  order; a leaf may be split (turned into a group whose new sub-leaves sum to the leaf's points);
- new items: sub-items under a split leaf, and bonus and deduction items;
- not the title, points, parent or limit of a county item, nor the weight or grade bands.

Publishing a refinement checks the 100-point rule, that each top-level item of the county keeps
its points, that each split leaf's sub-leaves sum to it, and that the bonus (deduction) limits
together stay within the county's (:func:`refinement_errors`)."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from common.services import apply_changes as _apply
from common.services import save_audited as _save
from common.text import inner_quotes

from .models import Indicator, Scheme, Sheet
from .rules import FULL_MARKS, default_bands, plain
from .selectors import may_edit_scheme, may_edit_schemes, may_refine

ZERO = Decimal("0")

SCHEME_FIELDS = ("title", "weight", "grade_bands")
INDICATOR_FIELDS = (
    "parent",
    "order",
    "title",
    "kind",
    "max_points",
    "limit",
    "guidance",
    "evidence_required",
    "evidence_source",  # R21 item 2: copied into new versions with the rest
)


def _refuse_if_published(scheme: Scheme) -> None:
    if scheme.is_published:
        raise ValidationError(_("已发布的考核方案不可修改；如需调整，请生成新版本。"))


def _duplicate() -> ValidationError:
    return ValidationError(_("该县（区）本年度已有相同版本的考核方案。"))


def _require_editor(actor, scheme: Scheme) -> None:
    if not may_edit_scheme(actor, scheme):
        raise PermissionDenied(_("您无权修改该考核方案。"))


@transaction.atomic
def scheme_create(
    *, actor, county, year: int, title: str, weight: Decimal = Decimal("1"), grade_bands: list | None = None
) -> Scheme:
    """R21: a draft scheme (next version of the county's year) with its two empty sheets."""
    if not may_edit_scheme(actor, Scheme(county=county)):
        raise PermissionDenied(_("只有系统管理员可以新建县级考核方案。"))
    latest = (
        Scheme.objects.filter(county=county, year=year, township__isnull=True).aggregate(v=Max("version"))["v"] or 0
    )
    scheme = Scheme(
        county=county,
        year=year,
        version=latest + 1,
        title=title.strip(),
        weight=weight,
        grade_bands=grade_bands if grade_bands is not None else default_bands(),
    )
    try:
        with transaction.atomic():
            _save(scheme, actor)
    except IntegrityError as exc:
        raise _duplicate() from exc
    Sheet.objects.bulk_create([Sheet(scheme=scheme, kind=kind) for kind in Sheet.Kind.values])
    return scheme


@transaction.atomic
def scheme_update(*, actor, scheme: Scheme, **fields) -> Scheme:
    scheme = Scheme.objects.select_for_update(of=("self",)).get(pk=scheme.pk)
    _require_editor(actor, scheme)
    _refuse_if_published(scheme)
    changed = _apply(scheme, fields, SCHEME_FIELDS)
    if scheme.is_refinement and set(changed) & {"weight", "grade_bands"}:
        raise ValidationError(_("细化方案的折算权重和等次划分沿用县级方案，不能修改。"))
    if changed:
        _save(scheme, actor, update_fields=changed)
    return scheme


def sheet_sums(scheme: Scheme, indicators=None) -> dict[str, Decimal]:
    """The sum of the leaves' points per sheet kind."""
    if indicators is None:
        indicators = Indicator.objects.filter(sheet__scheme=scheme).select_related("sheet")
    sums = {kind: Decimal("0") for kind in Sheet.Kind.values}
    for indicator in indicators:
        if indicator.kind == Indicator.Kind.LEAF:
            sums[indicator.sheet.kind] += indicator.max_points
    return sums


@transaction.atomic
def scheme_publish(*, actor, scheme: Scheme) -> Scheme:
    """R21: published only if the leaves of each sheet sum to exactly 100 and (issue #11 item 14)
    every group's points equal the sum of its children."""
    scheme = Scheme.objects.select_for_update(of=("self",)).get(pk=scheme.pk)
    _require_editor(actor, scheme)
    _refuse_if_published(scheme)
    errors = [
        _("“%(sheet)s”评分表各评分项合计 %(sum)s 分，应恰好为 100 分。")
        % {"sheet": Sheet.Kind(kind).label, "sum": total.normalize() if total else 0}
        for kind, total in sheet_sums(scheme).items()
        if total != FULL_MARKS
    ]
    if scheme.is_refinement:
        errors += refinement_errors(scheme)
    group_errors, group_fill = group_point_errors(scheme)
    errors += group_errors
    if errors:
        raise ValidationError(errors)
    for group, total in group_fill:  # a group left without points states its children's sum
        group.max_points = total
        _save(group, actor, update_fields=["max_points"], reason=_("发布：分组分值取各子项合计"))
    scheme.status = Scheme.Status.PUBLISHED
    scheme.published_at = timezone.now()
    scheme.published_by = actor
    _save(scheme, actor, update_fields=["status", "published_at", "published_by"], reason=_("发布"))
    if scheme.is_refinement:
        from .scoring import tasks_follow_refinements  # scoring builds on the schemes

        tasks_follow_refinements(actor=actor, scheme=scheme.based_on)
    return scheme


def _leaf_totals(indicators: list[Indicator]) -> dict[int, Decimal]:
    """{indicator id: the points of the leaves in its subtree (itself, for a leaf)}."""
    by_id = {i.pk: i for i in indicators}
    totals = {i.pk: ZERO for i in indicators}
    for indicator in indicators:
        if indicator.kind != Indicator.Kind.LEAF:
            continue
        node = indicator
        while node is not None:
            totals[node.pk] += indicator.max_points
            node = by_id.get(node.parent_id)
    return totals


def group_point_errors(scheme: Scheme) -> tuple[list[str], list[tuple[Indicator, Decimal]]]:
    """R21 (issue #11 item 14): every group's points equal the sum of its children (the points of
    the leaves below it). A group that states points must match; a group left at 0 takes the sum
    when the scheme is published (returned as ``fill``); a group with no scored item is refused."""
    indicators = list(Indicator.objects.filter(sheet__scheme=scheme).select_related("sheet"))
    totals = _leaf_totals(indicators)
    errors, fill = [], []
    for group in indicators:
        if group.kind != Indicator.Kind.GROUP:
            continue
        total = totals[group.pk]
        if total == ZERO:
            errors.append(
                _("“%(sheet)s”评分表的分组“%(title)s”下没有评分项。")
                % {"sheet": group.sheet.get_kind_display(), "title": inner_quotes(group.title)}
            )
        elif group.max_points == ZERO:
            fill.append((group, total))
        elif group.max_points != total:
            errors.append(
                _("“%(sheet)s”评分表的分组“%(title)s”为 %(points)s 分，其下各评分项合计 %(sum)s 分，两者应相等。")
                % {
                    "sheet": group.sheet.get_kind_display(),
                    "title": inner_quotes(group.title),
                    "points": plain(group.max_points),
                    "sum": plain(total),
                }
            )
    return errors, fill


def refinement_errors(scheme: Scheme) -> list[str]:
    """R21 refinement rules (see the module docstring), as clear messages."""
    mine = list(Indicator.objects.filter(sheet__scheme=scheme).select_related("sheet"))
    county = list(Indicator.objects.filter(sheet__scheme_id=scheme.based_on_id).select_related("sheet"))
    mine_totals, county_totals = _leaf_totals(mine), _leaf_totals(county)
    by_origin = {i.origin_id: i for i in mine if i.origin_id}
    errors = []
    for item in county:
        if item.parent_id is not None or item.has_limit:
            continue
        copy = by_origin.get(item.pk)
        total = mine_totals[copy.pk] if copy is not None else ZERO
        if copy is None or copy.parent_id is not None or total != county_totals[item.pk]:
            errors.append(
                _(
                    "“%(title)s”（%(sheet)s）在县级方案中为 %(county)s 分，细化方案中为 %(mine)s 分："
                    "细化不能改变县级方案一级指标的分值。"
                )
                % {
                    "title": inner_quotes(item.title),
                    "sheet": item.sheet.get_kind_display(),
                    "county": plain(county_totals[item.pk]),
                    "mine": plain(total),
                }
            )
    for copy in mine:
        origin = next((c for c in county if c.pk == copy.origin_id), None)
        if origin is None or origin.kind != Indicator.Kind.LEAF or copy.kind != Indicator.Kind.GROUP:
            continue
        if mine_totals[copy.pk] != origin.max_points:
            errors.append(
                _("“%(title)s”拆分后各子项合计 %(sum)s 分，应等于县级方案中该评分项的 %(points)s 分。")
                % {
                    "title": inner_quotes(copy.title),
                    "sum": plain(mine_totals[copy.pk]),
                    "points": plain(origin.max_points),
                }
            )
    for kind in Sheet.Kind.values:
        for item_kind, label in ((Indicator.Kind.BONUS, _("加分项")), (Indicator.Kind.DEDUCTION, _("扣分项"))):
            limit_mine = sum((i.limit or ZERO for i in mine if i.sheet.kind == kind and i.kind == item_kind), ZERO)
            limit_county = sum((i.limit or ZERO for i in county if i.sheet.kind == kind and i.kind == item_kind), ZERO)
            if limit_mine > limit_county:
                errors.append(
                    _("“%(sheet)s”评分表%(what)s累计上限合计 %(mine)s 分，超过县级方案的 %(county)s 分。")
                    % {
                        "sheet": Sheet.Kind(kind).label,
                        "what": label,
                        "mine": plain(limit_mine),
                        "county": plain(limit_county),
                    }
                )
    return errors


def _copy_tree(*, actor, source: Scheme, copy: Scheme, origin: str) -> None:
    """Copy every sheet and indicator of ``source`` into ``copy``. ``origin``: "none" (a county
    scheme's new version), "source" (a refinement: each item points at the county's item) or
    "keep" (a refinement's new version: the same county items)."""
    for sheet in source.sheets.all():
        new_sheet = Sheet.objects.create(scheme=copy, kind=sheet.kind)
        new_ids = {}
        # parents before children: walk the tree breadth-first
        pending = list(sheet.indicators.filter(parent__isnull=True).order_by("order", "pk"))
        by_parent = {}
        for indicator in sheet.indicators.filter(parent__isnull=False).order_by("order", "pk"):
            by_parent.setdefault(indicator.parent_id, []).append(indicator)
        while pending:
            old = pending.pop(0)
            new = Indicator(
                sheet=new_sheet,
                parent_id=new_ids.get(old.parent_id),
                origin_id={"none": None, "source": old.pk, "keep": old.origin_id}[origin],
                **{f: getattr(old, f) for f in INDICATOR_FIELDS if f != "parent"},
            )
            _save(new, actor)
            new_ids[old.pk] = new.pk
            pending.extend(by_parent.get(old.pk, []))


def _next_version(scheme: Scheme) -> int:
    versions = Scheme.objects.filter(year=scheme.year)
    if scheme.township_id:
        versions = versions.filter(township_id=scheme.township_id)
    else:
        versions = versions.filter(county_id=scheme.county_id, township__isnull=True)
    return (versions.aggregate(v=Max("version"))["v"] or 0) + 1


@transaction.atomic
def scheme_new_version(*, actor, scheme: Scheme) -> Scheme:
    """R21: a change to a scheme is a new draft version with a copy of the whole tree (a
    refinement's new version stays a refinement of the same county scheme)."""
    _require_editor(actor, scheme)
    copy = Scheme(
        county_id=scheme.county_id,
        township_id=scheme.township_id,
        based_on_id=scheme.based_on_id,
        year=scheme.year,
        title=scheme.title,
        weight=scheme.weight,
        grade_bands=scheme.grade_bands,
    )
    copy.version = _next_version(copy)
    try:
        with transaction.atomic():
            _save(copy, actor, reason=_("由第%(version)s版生成") % {"version": scheme.version})
    except IntegrityError as exc:
        raise _duplicate() from exc
    _copy_tree(actor=actor, source=scheme, copy=copy, origin="keep" if scheme.township_id else "none")
    return copy


@transaction.atomic
def scheme_refine(*, actor, scheme: Scheme, township, title: str = "") -> Scheme:
    """R21: a township's refinement of a published county scheme: a draft of the township (next
    version of the township's year) with a copy of the county's tree, each item linked to the
    county's item it refines. The weight and the grade bands are the county's."""
    if not may_refine(actor, scheme):
        raise PermissionDenied(_("只能由系统管理员或镇（街道）组织干部细化已发布的县级考核方案。"))
    if township.county_id != scheme.county_id:
        raise ValidationError({"township": _("只能细化本县（区）的考核方案。")})
    if not may_edit_schemes(actor) and actor.township_id != township.pk:
        raise PermissionDenied(_("只能为本镇（街道）制定细化方案。"))
    copy = Scheme(
        county_id=scheme.county_id,
        township=township,
        based_on=scheme,
        year=scheme.year,
        title=(title or "").strip()
        or _("%(title)s（%(township)s细化）") % {"title": scheme.title, "township": township.name},
        weight=scheme.weight,
        grade_bands=scheme.grade_bands,
    )
    copy.version = _next_version(copy)
    try:
        with transaction.atomic():
            _save(copy, actor, reason=_("细化县级方案第%(version)s版") % {"version": scheme.version})
    except IntegrityError as exc:
        raise ValidationError(_("该镇（街道）本年度已有相同版本的细化方案。")) from exc
    _copy_tree(actor=actor, source=scheme, copy=copy, origin="source")
    return copy


def _check_indicator(indicator: Indicator) -> None:
    if indicator.has_limit and indicator.limit is None:
        raise ValidationError({"limit": _("加分项、扣分项须填写累计上限。")})
    if not indicator.has_limit:
        indicator.limit = None
    parent = indicator.parent
    if parent is not None:
        if parent.sheet_id != indicator.sheet_id:
            raise ValidationError({"parent": _("上级指标须在同一评分表内。")})
        if parent.kind != Indicator.Kind.GROUP:
            raise ValidationError({"parent": _("上级指标须为分组。")})
        if indicator.pk and parent.pk == indicator.pk:
            raise ValidationError({"parent": _("指标不能以自身为上级。")})


def _inside_split(parent: Indicator | None) -> bool:
    """The item lies under a split leaf of the county's (new groups exist only there)."""
    node = parent
    while node is not None:
        if node.origin_id is not None:
            return node.kind == Indicator.Kind.GROUP and node.origin.kind == Indicator.Kind.LEAF
        node = node.parent
    return False


def _check_refinement_item(indicator: Indicator) -> None:
    """R21 refinement: new leaves and groups only under a split leaf; bonus and deduction items
    anywhere (their limits are checked together at publication)."""
    if indicator.has_limit:
        return
    if not _inside_split(indicator.parent):
        raise ValidationError(
            {
                "parent": _(
                    "细化方案只能在拆分后的评分项下增加子项（或增加加分项、扣分项）；县级方案的分组和分值不能改变。"
                )
            }
        )


REFINABLE_FIELDS = ("guidance", "evidence_required", "evidence_source", "order")


def _check_refinement_change(indicator: Indicator, changed: list[str]) -> None:
    """R21 refinement: a county item keeps its title, points, parent and limit; a leaf may be
    split (leaf → group) and joined again while it has no sub-items."""
    if indicator.origin_id is None:
        _check_refinement_item(indicator)
        return
    fixed = [f for f in changed if f not in (*REFINABLE_FIELDS, "kind")]
    if fixed:
        raise ValidationError(
            _(
                "细化方案不能修改县级方案指标的名称、分值、上级或累计上限；"
                "可以修改评分标准、佐证材料和数据来源，或将评分项拆分为若干子项。"
            )
        )
    if "kind" in changed:
        origin = indicator.origin
        split = origin.kind == Indicator.Kind.LEAF and indicator.kind == Indicator.Kind.GROUP
        join = origin.kind == Indicator.Kind.LEAF and indicator.kind == Indicator.Kind.LEAF
        if not (split or join):
            raise ValidationError(
                {"kind": _("细化方案中，县级方案的评分项只能拆分为分组（再增加子项），类型不能另作修改。")}
            )
        if join and indicator.children.exists():
            raise ValidationError({"kind": _("请先处理拆分出的子项，再将该分组恢复为评分项。")})
        if split:
            indicator.evidence_source = ""


@transaction.atomic
def indicator_create(
    *,
    actor,
    sheet: Sheet,
    title: str,
    kind: str = Indicator.Kind.LEAF,
    max_points: Decimal = Decimal("0"),
    parent: Indicator | None = None,
    order: int | None = None,
    limit: Decimal | None = None,
    guidance: str = "",
    evidence_required: str = "",
    evidence_source: str = "",
) -> Indicator:
    scheme = Scheme.objects.select_for_update(of=("self",)).get(pk=sheet.scheme_id)
    _require_editor(actor, scheme)
    _refuse_if_published(scheme)
    if order is None:
        order = (sheet.indicators.aggregate(o=Max("order"))["o"] or 0) + 1
    indicator = Indicator(
        sheet=sheet,
        parent=parent,
        order=order,
        title=title.strip(),
        kind=kind,
        max_points=max_points,
        limit=limit,
        guidance=guidance,
        evidence_required=evidence_required,
        evidence_source=evidence_source or "",
    )
    _check_indicator(indicator)
    if scheme.is_refinement:
        _check_refinement_item(indicator)
    return _save(indicator, actor)


@transaction.atomic
def indicator_update(*, actor, indicator: Indicator, **fields) -> Indicator:
    indicator = Indicator.objects.select_related("sheet", "origin").get(pk=indicator.pk)
    scheme = Scheme.objects.select_for_update(of=("self",)).get(pk=indicator.sheet.scheme_id)
    _require_editor(actor, scheme)
    _refuse_if_published(scheme)
    limit_before, source_before = indicator.limit, indicator.evidence_source
    changed = _apply(indicator, fields, INDICATOR_FIELDS)
    if scheme.is_refinement:
        _check_refinement_change(indicator, changed)
    _check_indicator(indicator)  # may clear the limit of an item that is no longer bonus/deduction
    if "limit" not in changed and indicator.limit != limit_before:
        changed.append("limit")
    if "evidence_source" not in changed and indicator.evidence_source != source_before:
        changed.append("evidence_source")
    if changed:
        _save(indicator, actor, update_fields=changed)
    return indicator
