from decimal import Decimal

from assessment import services
from assessment.models import Scheme


def scheme_with_sheets(actor, county, *, units=Decimal("100"), departments=Decimal("100"), year=2026) -> Scheme:
    """A draft scheme whose units sheet has a group with two leaves and whose departments sheet
    has one leaf, the leaves summing to ``units`` / ``departments``."""
    scheme = services.scheme_create(actor=actor, county=county, year=year, title="双百分考核", weight=Decimal("0.2"))
    units_sheet = scheme.sheets.get(kind="units")
    group = services.indicator_create(actor=actor, sheet=units_sheet, title="组织共建", kind="group")
    services.indicator_create(actor=actor, sheet=units_sheet, parent=group, title="参加会议", max_points=Decimal("40"))
    services.indicator_create(
        actor=actor, sheet=units_sheet, parent=group, title="认领项目", max_points=units - Decimal("40")
    )
    services.indicator_create(
        actor=actor, sheet=units_sheet, title="获上级表彰", kind="bonus", max_points=Decimal("1"), limit=Decimal("3")
    )
    services.indicator_create(
        actor=actor, sheet=scheme.sheets.get(kind="departments"), title="履行共建职责", max_points=departments
    )
    return scheme
