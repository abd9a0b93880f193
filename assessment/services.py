"""Every write to the R21 schemes. A published scheme is immutable: each edit service refuses,
and a change is :func:`scheme_new_version` (the whole tree copied into a draft version + 1)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from common.services import apply_changes as _apply
from common.services import save_audited as _save

from .models import Indicator, Scheme, Sheet
from .rules import FULL_MARKS, default_bands

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


@transaction.atomic
def scheme_create(
    *, actor, county, year: int, title: str, weight: Decimal = Decimal("1"), grade_bands: list | None = None
) -> Scheme:
    """R21: a draft scheme (next version of the county's year) with its two empty sheets."""
    latest = Scheme.objects.filter(county=county, year=year).aggregate(v=Max("version"))["v"] or 0
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
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    _refuse_if_published(scheme)
    changed = _apply(scheme, fields, SCHEME_FIELDS)
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
    """R21: published only if the leaves of each sheet sum to exactly 100."""
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    _refuse_if_published(scheme)
    errors = [
        _("“%(sheet)s”评分表各评分项合计 %(sum)s 分，应恰好为 100 分。")
        % {"sheet": Sheet.Kind(kind).label, "sum": total.normalize() if total else 0}
        for kind, total in sheet_sums(scheme).items()
        if total != FULL_MARKS
    ]
    if errors:
        raise ValidationError(errors)
    scheme.status = Scheme.Status.PUBLISHED
    scheme.published_at = timezone.now()
    scheme.published_by = actor
    return _save(scheme, actor, update_fields=["status", "published_at", "published_by"], reason=_("发布"))


@transaction.atomic
def scheme_new_version(*, actor, scheme: Scheme) -> Scheme:
    """R21: a change to a scheme is a new draft version with a copy of the whole tree."""
    latest = Scheme.objects.filter(county_id=scheme.county_id, year=scheme.year).aggregate(v=Max("version"))["v"]
    copy = Scheme(
        county_id=scheme.county_id,
        year=scheme.year,
        version=latest + 1,
        title=scheme.title,
        weight=scheme.weight,
        grade_bands=scheme.grade_bands,
    )
    try:
        with transaction.atomic():
            _save(copy, actor, reason=_("由第%(version)s版生成") % {"version": scheme.version})
    except IntegrityError as exc:
        raise _duplicate() from exc
    for sheet in scheme.sheets.all():
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
                **{f: getattr(old, f) for f in INDICATOR_FIELDS if f != "parent"},
            )
            _save(new, actor)
            new_ids[old.pk] = new.pk
            pending.extend(by_parent.get(old.pk, []))
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
    scheme = Scheme.objects.select_for_update().get(pk=sheet.scheme_id)
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
    return _save(indicator, actor)


@transaction.atomic
def indicator_update(*, actor, indicator: Indicator, **fields) -> Indicator:
    indicator = Indicator.objects.select_related("sheet").get(pk=indicator.pk)
    scheme = Scheme.objects.select_for_update().get(pk=indicator.sheet.scheme_id)
    _refuse_if_published(scheme)
    limit_before = indicator.limit
    changed = _apply(indicator, fields, INDICATOR_FIELDS)
    _check_indicator(indicator)  # may clear the limit of an item that is no longer bonus/deduction
    if "limit" not in changed and indicator.limit != limit_before:
        changed.append("limit")
    if changed:
        _save(indicator, actor, update_fields=changed)
    return indicator
