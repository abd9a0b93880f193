"""R21 pure rules of a scheme: grade bands and the conversion (折算). No database access."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

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


def convert(score, weight) -> Decimal:
    """折算: converted = score × weight, to 0.01."""
    return quantise(Decimal(score) * Decimal(weight))


def formula_text(weight) -> str:
    return _("折算分 = 得分 × 权重 %(weight)s") % {"weight": Decimal(weight).normalize()}


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
            raise ValidationError(_("等次“%(label)s”的下限不是有效的分数。") % {"label": label}) from exc
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
