"""R21 pure rules of a scheme: grade bands and the conversion (折算). No database access."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from common.text import inner_quotes

CENT = Decimal("0.01")
FULL_MARKS = Decimal("100")

# Default grade bands (R21): 优秀 ≥ 95, 良好 ≥ 85, 合格 ≥ 60, 不合格 below; the last band has no
# minimum and catches every lower score.
DEFAULT_BANDS = [
    {"label": "优秀", "min": "95"},
    {"label": "良好", "min": "85"},
    {"label": "合格", "min": "60"},
    {"label": "不合格", "min": None},
]


def default_bands() -> list[dict]:
    return [dict(b) for b in DEFAULT_BANDS]


def quantise(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def plain(value) -> str:
    """7.50 → "7.5", 40.00 → "40": a number without needless zeros (and never "4E+1")."""
    return format(Decimal(value).normalize(), "f")


def convert(score, weight) -> Decimal:
    """折算: converted = score × weight, to 0.01."""
    return quantise(Decimal(score) * Decimal(weight))


def formula_text(weight) -> str:
    return _("折算分 = 得分 × 权重 %(weight)s") % {"weight": plain(weight)}


def validate_bands(bands) -> None:
    """Bands are ordered from the highest minimum down; only the last has no minimum."""
    if not isinstance(bands, list) or len(bands) < 2:
        raise ValidationError(_("等次至少应有两档。"))
    previous = None
    for index, band in enumerate(bands):
        label = str(band.get("label", "")).strip() if isinstance(band, dict) else ""
        if not label:
            raise ValidationError(_("每一档等次都要有名称。"))
        last = index == len(bands) - 1
        minimum = band.get("min")
        if last:
            if minimum is not None:
                raise ValidationError(_("最后一档等次不设下限（低于上一档即为该等次）。"))
            continue
        try:
            minimum = Decimal(str(minimum))
        except (InvalidOperation, TypeError, ValueError) as exc:
            raise ValidationError(_("等次“%(label)s”的下限不是有效的分数。") % {"label": inner_quotes(label)}) from exc
        if previous is not None and minimum >= previous:
            raise ValidationError(_("等次下限必须从高到低排列。"))
        previous = minimum


def grade_for(score, bands) -> str:
    """The label of the first band whose minimum the score reaches (bands ordered high → low)."""
    score = Decimal(score)
    for band in bands:
        if band.get("min") is None or score >= Decimal(str(band["min"])):
            return band["label"]
    return bands[-1]["label"]


def capped(total, limit) -> Decimal:
    """R21: bonus and deduction items count up to their limit (None: no limit)."""
    total = Decimal(total)
    return total if limit is None else min(total, Decimal(limit))


def sheet_total(leaves, bonuses=(), deductions=()) -> Decimal:
    """One body's total: the leaves' points, plus bonuses and minus deductions each within its
    item's limit, never below 0. ``bonuses``/``deductions`` are (points, limit) pairs."""
    total = sum((Decimal(p) for p in leaves), Decimal("0"))
    total += sum((capped(p, limit) for p, limit in bonuses), Decimal("0"))
    total -= sum((capped(p, limit) for p, limit in deductions), Decimal("0"))
    return quantise(max(total, Decimal("0")))


COMBINATIONS = ("average", "min", "max", "weighted")


def combine(committee, county, rule: str = "average", committee_weight=Decimal("0.5")) -> Decimal:
    """R21: the final score from the committee's and the county organisation department's totals."""
    committee, county = Decimal(committee), Decimal(county)
    if rule == "average":
        return quantise((committee + county) / 2)
    if rule == "min":
        return quantise(min(committee, county))
    if rule == "max":
        return quantise(max(committee, county))
    if rule == "weighted":
        w = Decimal(committee_weight)
        return quantise(committee * w + county * (1 - w))
    raise ValueError(rule)


def combination_text(rule: str, committee_weight=Decimal("0.5")) -> str:
    """The stated rule, shown beside every final score."""
    if rule == "weighted":
        w = Decimal(committee_weight)
        return _("最终得分 = 大党委评分 × %(a)s + 县委组织部评分 × %(b)s") % {
            "a": plain(w),
            "b": plain(1 - w),
        }
    return {
        "average": _("最终得分 = （大党委评分 + 县委组织部评分）÷ 2"),
        "min": _("最终得分 = 大党委评分与县委组织部评分中的较低者"),
        "max": _("最终得分 = 大党委评分与县委组织部评分中的较高者"),
    }[rule]
