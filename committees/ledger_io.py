"""The member-unit ledger (R2, R25.2) in and out of Excel.

- :func:`units_import` reads an .xlsx ledger, validates every row with a Django form (so the
  messages are Django's own, in Chinese), reports every bad row as "第 5 行「单位类型」：…" and
  saves nothing unless every row is valid. A row whose unit name already exists in the community
  updates that unit; the others are created. Writes go through ``unit_create``/``unit_update``.
- :func:`import_template` builds the template: Chinese headers matching the R2 fields, an
  example row (skipped on import), drop-down lists for the choice columns and the grids.
- :func:`units_export` writes a list of units with Chinese headers and choice labels.
"""

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from common import xlsx
from common.uploads import validate_upload

from .models import Community, Grid, Unit
from .services import UNIT_FIELDS, unit_create, unit_update

SHEET_TITLE = "成员单位台账"
OPTIONS_SHEET = "选项"
HELP_SHEET = "填写说明"
EXAMPLE_MARK = "【示例】"
MAX_ROWS = 5000  # data rows in one import
MAX_SHEET_ROW = 2 * MAX_ROWS  # no row past this one is read (blank rows in between are fine)
MAX_COLUMNS = 64  # cells of a row scanned while looking for the header
MAX_CELL_CHARS = 1000  # the longest ledger field holds 200
HEADER_SEARCH_ROWS = 5  # a ledger may carry a title row or two above its header
TEMPLATE_ROWS = 500  # rows of the template that carry the drop-down lists

CHOICE_FIELDS = ("unit_type", "industry", "party_org_kind")
COUNT_FIELDS = ("members_direct", "members_in_service", "members_floating")
REQUIRED_FIELDS = ("name", "unit_type")
FORMULA_MESSAGE = _lazy("单元格为公式，请粘贴为数值。")


def _header(field_name: str) -> str:
    return str(Unit._meta.get_field(field_name).verbose_name)


def columns() -> list[tuple[str, str]]:
    """(field, Chinese header) of every ledger column, in template order."""
    return [(name, _header(name)) for name in UNIT_FIELDS]


def _normalise_header(value) -> str:
    text = str(value or "").strip()
    for mark in ("*", "＊", "（必填）", "(必填)"):
        text = text.replace(mark, "")
    return text.strip()


# --- import -------------------------------------------------------------------------------


class UnitRowForm(forms.ModelForm):
    """One ledger row. The grid column holds a grid's name within the community (R26)."""

    grid = forms.ModelChoiceField(queryset=Grid.objects.none(), required=False, to_field_name="name")

    class Meta:
        model = Unit
        fields = list(UNIT_FIELDS)

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        if "grid" in self._meta.fields:
            self.fields["grid"].queryset = grids
        else:  # a file without the grid column leaves the units' grids as they are
            del self.fields["grid"]


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self):
        if self.column:
            return _("第 %(row)s 行「%(column)s」：%(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("第 %(row)s 行：%(message)s") % {"row": self.row, "message": self.message}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_examples: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged


def _cell_text(value) -> str:
    """A cell as the text a form field parses: 12.0 → "12", phone numbers stay whole."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _choice_lookup(field_name: str) -> dict[str, str]:
    """Chinese label → code (codes are accepted too)."""
    choices = Unit._meta.get_field(field_name).choices
    lookup = {str(code): str(code) for code, _label in choices}
    lookup.update({str(label): str(code) for code, label in choices})
    return lookup


def _column_positions(header: list) -> dict[str, int]:
    by_header = {h: name for name, h in columns()}
    positions: dict[str, int] = {}
    for index, value in enumerate(header):
        name = by_header.get(_normalise_header(value))
        if name and name not in positions:
            positions[name] = index
    return positions


@dataclass
class SheetRow:
    """One non-empty data row: its Excel row number, its values (up to the last ledger column)
    and the positions of the cells that hold a formula rather than a value."""

    number: int
    values: list
    formulas: frozenset[int] = frozenset()


def _too_long(number: int, index: int, header: list) -> ValidationError:
    column = _normalise_header(header[index]) if index < len(header) else ""
    return ValidationError(
        _("第 %(row)s 行「%(column)s」的内容超过 %(max)s 个字，不像台账数据，已拒绝整个文件。"),
        params={"row": number, "column": column or get_column_letter(index + 1), "max": MAX_CELL_CHARS},
        code="cell_too_long",
    )


def _bounded_rows(sheet, *, min_row: int, max_col: int):
    """(Excel row number, cells) of the sheet from ``min_row`` on, ``max_col`` cells a row.

    Issue #14 §2/§3: the sheet's declared ``<dimension>`` is ignored (``reset_dimensions``), so
    rows past a wrong one are still read and a file declaring A1:XFD1048576 costs nothing; rows
    are streamed and reading stops with a refusal past ``MAX_SHEET_ROW``.
    """
    for number, cells in enumerate(sheet.iter_rows(min_row=min_row, max_col=max_col), start=min_row):
        if number > MAX_SHEET_ROW:
            raise ValidationError(
                _("工作表超过 %(max)s 行（第 %(row)s 行仍有内容或格式），请删除多余的行或分批导入。"),
                params={"max": MAX_SHEET_ROW, "row": number},
                code="too_many_rows",
            )
        yield number, cells


def _read_rows(file) -> tuple[dict[str, int], list[SheetRow]]:
    """The ledger sheet's columns (field → position) and its non-empty data rows. The header is
    the first of the top rows naming the unit-name column, so a sheet with a title row above the
    header reads as well.

    Issue #14 §2: the zip is checked before openpyxl opens it (``xlsx.check_package``); the sheet
    is streamed in read-only mode, ``MAX_COLUMNS`` cells a row while looking for the header and
    then only up to the last ledger column; too many rows or an over-long cell refuse the file.
    Formulas are read as formulas (not as their cached values) so that each one is reported.
    """
    xlsx.check_package(file)
    try:
        workbook = load_workbook(file, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file; all mean the same here
        raise ValidationError(
            _("无法读取该 Excel 文件，请确认它是未损坏的 .xlsx 文件（可用本页模板重新填写）。"), code="file_corrupt"
        ) from exc
    try:
        sheet = workbook[SHEET_TITLE] if SHEET_TITLE in workbook.sheetnames else workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):  # a chart sheet has no cells and none to reset
            sheet.reset_dimensions()
        positions, header_row, header = {}, 0, []
        for number, cells in _bounded_rows(sheet, min_row=1, max_col=MAX_COLUMNS):
            header = [c.value for c in cells]
            positions = _column_positions(header)
            if "name" in positions:
                header_row = number
                break
            if number == HEADER_SEARCH_ROWS:
                break
        if not header_row:
            raise ValidationError(
                _("前 %(rows)s 行中未找到表头（须有“%(column)s”列）。请使用本页提供的模板。"),
                params={"rows": HEADER_SEARCH_ROWS, "column": _header("name")},
                code="missing_columns",
            )
        missing = [_header(name) for name in REQUIRED_FIELDS if name not in positions]
        if missing:
            raise ValidationError(
                _("第 %(row)s 行（表头）缺少必需的列：%(columns)s。请使用本页提供的模板。"),
                params={"row": header_row, "columns": "、".join(missing)},
                code="missing_columns",
            )
        last_column = max(positions.values()) + 1
        data: list[SheetRow] = []
        for number, cells in _bounded_rows(sheet, min_row=header_row + 1, max_col=last_column):
            values = [c.value for c in cells]
            if all(_cell_text(v) == "" for v in values):
                continue
            for index, value in enumerate(values):
                if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                    raise _too_long(number, index, header)
            if len(data) == MAX_ROWS:
                raise ValidationError(
                    _("一次最多导入 %(max)s 行，请分批导入。"), params={"max": MAX_ROWS}, code="too_many_rows"
                )
            formulas = frozenset(i for i, c in enumerate(cells) if c.data_type == "f")
            data.append(SheetRow(number, values, formulas))
    except ValidationError:
        raise
    except Exception as exc:  # a sheet that opens but cannot be read through
        raise ValidationError(_("无法读取该 Excel 文件中的数据，请确认文件未损坏。"), code="file_corrupt") from exc
    finally:
        workbook.close()
    return positions, data


def units_import(*, actor, community: Community, file) -> ImportResult:
    """R2/R25.2: import a community's ledger. Nothing is saved unless every row is valid.

    A file that is not a readable .xlsx, or lacks the required columns, raises ValidationError;
    row problems come back in ``result.errors`` (every one of them, with row and column).
    """
    validate_upload(file, ("xlsx",))
    positions, data = _read_rows(file)
    if not data:
        return ImportResult()

    present = [name for name in UNIT_FIELDS if name in positions]
    row_form = forms.modelform_factory(Unit, form=UnitRowForm, fields=present)
    grids = Grid.objects.filter(community=community)
    lookups = {name: _choice_lookup(name) for name in CHOICE_FIELDS}
    defaults = {name: Unit._meta.get_field(name).get_default() for name in (*COUNT_FIELDS, "party_org_kind")}
    headers = dict(columns())
    existing = {u.name: u for u in Unit.objects.filter(community=community).select_related("grid")}

    result = ImportResult()
    valid_rows: list[tuple[int, dict]] = []
    first_row_of_name: dict[str, int] = {}
    for sheet_row in data:
        number, values = sheet_row.number, sheet_row.values
        raw = {name: _cell_text(values[i] if i < len(values) else None) for name, i in positions.items()}
        # Issue #14 §3: a formula is reported as such, not as the empty value it reads as.
        formula_fields = {name for name, i in positions.items() if i in sheet_row.formulas}
        for name in formula_fields:
            raw[name] = ""
            result.errors.append(RowError(number, headers[name], FORMULA_MESSAGE))
        if raw["name"].startswith(EXAMPLE_MARK):
            result.skipped_examples += 1
            continue
        for name in CHOICE_FIELDS:
            if name in raw:
                raw[name] = lookups[name].get(raw[name], raw[name])
        for name, default in defaults.items():
            if name in raw and raw[name] == "":
                raw[name] = str(default)
        form = row_form(raw, grids=grids)
        if not form.is_valid() or formula_fields:
            for name, messages in form.errors.items():
                if name in formula_fields:
                    continue
                column = headers.get(name, "")
                result.errors.extend(RowError(number, column, str(m)) for m in messages)
            continue
        name = form.cleaned_data["name"]
        if name in first_row_of_name:
            result.errors.append(
                RowError(
                    number,
                    headers["name"],
                    _("与第 %(row)s 行的单位名称重复。") % {"row": first_row_of_name[name]},
                )
            )
            continue
        first_row_of_name[name] = number
        valid_rows.append((number, form.cleaned_data))

    if result.errors:
        return result

    with transaction.atomic():
        for number, fields in valid_rows:
            unit = existing.get(fields["name"])
            try:
                if unit is None:
                    unit_create(actor=actor, community=community, **fields)
                    result.created += 1
                elif _changes(unit, fields):
                    unit_update(actor=actor, unit=unit, **fields)
                    result.updated += 1
                else:
                    result.unchanged += 1
            except ValidationError as exc:  # a rule only the service knows, or a race
                messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
                for name, texts in messages.items():
                    result.errors.extend(RowError(number, headers.get(name, ""), str(t)) for t in texts)
        if result.errors:
            transaction.set_rollback(True)
            result.created = result.updated = result.unchanged = 0
    return result


def _changes(unit: Unit, fields: dict) -> bool:
    return any(getattr(unit, name) != value for name, value in fields.items())


# --- template -----------------------------------------------------------------------------

HEADER_FONT = Font(bold=True)
REQUIRED_FONT = Font(bold=True, color="B5302A")
HEADER_FILL = PatternFill("solid", fgColor="F3E3D3")
EXAMPLE_FONT = Font(italic=True, color="808080")


def _example_row(community: Community, grid_name: str) -> dict[str, object]:
    return {
        "name": EXAMPLE_MARK + _("县供电公司（本行导入时忽略，可删除）"),
        "unit_type": str(Unit.Type.ENTERPRISE.label),
        "industry": str(Unit.Industry.UTILITIES.label),
        "grid": grid_name,
        "address": _("%(community)s建设路 1 号") % {"community": community.name},
        "party_org_name": _("县供电公司党支部"),
        "party_org_kind": str(Unit.PartyOrgKind.BRANCH.label),
        "party_org_secretary": _("张三"),
        "members_direct": 25,
        "members_in_service": 18,
        "members_floating": 2,
        "liaison_name": _("李四"),
        "liaison_phone": "13800000000",
        "contact_phone": "0371-12345678",
        "contact_email": "gdgs@example.cn",
    }


def import_template(*, community: Community) -> bytes:
    """The ledger template of one community: its grids are the grid column's choices."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    options = workbook.create_sheet(OPTIONS_SHEET)
    help_sheet = workbook.create_sheet(HELP_SHEET)

    grid_names = list(Grid.objects.filter(community=community).order_by("name").values_list("name", flat=True))
    lists = {name: [str(label) for _code, label in Unit._meta.get_field(name).choices] for name in CHOICE_FIELDS}
    lists["grid"] = grid_names

    cols = columns()
    example = _example_row(community, grid_names[0] if grid_names else "")
    for index, (name, header) in enumerate(cols, start=1):
        cell = xlsx.put(sheet, 1, index, header)
        cell.font = REQUIRED_FONT if name in REQUIRED_FIELDS else HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        if name in REQUIRED_FIELDS:
            cell.comment = Comment(_("必填"), "dangwei")
        example_cell = xlsx.put(sheet, 2, index, example[name])
        example_cell.font = EXAMPLE_FONT
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = max(12, len(header) * 2 + 4)
        if name in ("liaison_phone", "contact_phone"):
            dimension.number_format = "@"  # text, so Excel keeps phone numbers as typed
    sheet.column_dimensions["A"].width = 36
    sheet.freeze_panes = "B2"

    # Drop-down lists: the choices live on a hidden sheet (a list typed into the rule itself is
    # limited to 255 characters, too short for the industries).
    for option_col, (name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(option_col)
        xlsx.put(options, 1, option_col, _header(name))
        for row, value in enumerate(values, start=2):
            xlsx.put(options, row, option_col, value)  # grid names are typed by users
        if not values:
            continue
        target = get_column_letter([n for n, _h in cols].index(name) + 1)
        rule = DataValidation(
            type="list",
            formula1=f"'{OPTIONS_SHEET}'!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_("无效的选项"),
            error=_("请从下拉列表中选择。"),
        )
        rule.add(f"{target}2:{target}{TEMPLATE_ROWS + 1}")
        sheet.add_data_validation(rule)
    counts = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("无效的人数"),
        error=_("请填写 0 或正整数。"),
    )
    for name in COUNT_FIELDS:
        target = get_column_letter([n for n, _h in cols].index(name) + 1)
        counts.add(f"{target}2:{target}{TEMPLATE_ROWS + 1}")
    sheet.add_data_validation(counts)
    options.sheet_state = "hidden"

    help_sheet.column_dimensions["A"].width = 100
    for row, line in enumerate(
        [
            _("%(community)s 成员单位台账导入说明") % {"community": community.name},
            _("1. 在“%(sheet)s”工作表中每行填写一个单位；第 1 行为表头，请勿修改。") % {"sheet": SHEET_TITLE},
            _("2. 红色表头为必填项：单位名称、单位类型。"),
            _("3. 单位类型、所属行业、党组织类别、所在网格请从下拉列表中选择。"),
            _("4. 党员人数请填写 0 或正整数；留空按 0 计。党组织类别留空按“未建立党组织”计。"),
            _("5. 单位名称已存在于本社区的，导入时更新该单位；其余新增。"),
            _("6. 以“%(mark)s”开头的示例行导入时忽略。") % {"mark": EXAMPLE_MARK},
            _("7. 任何一行有误时整份文件都不会导入，页面会列出每个错误的行号和列名，修改后重新导入即可。"),
        ],
        start=1,
    ):
        xlsx.put(help_sheet, row, 1, line).font = HEADER_FONT if row == 1 else Font()

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- export -------------------------------------------------------------------------------


def _export_columns() -> list[tuple[str, Callable[[Unit], object]]]:
    def display(name):
        return lambda u: str(getattr(u, f"get_{name}_display")()) if getattr(u, name) else ""

    getters: dict[str, Callable[[Unit], object]] = {name: display(name) for name in CHOICE_FIELDS}
    getters["grid"] = lambda u: u.grid.name if u.grid_id else ""
    cols: list[tuple[str, Callable[[Unit], object]]] = [(_("社区"), lambda u: u.community.name)]
    cols += [(header, getters.get(name, lambda u, n=name: getattr(u, n))) for name, header in columns()]
    cols += [
        (_("党员合计"), lambda u: u.members_total),
        (_("台账完整"), lambda u: _("是") if u.ledger_complete else _("否")),
        (_("状态"), lambda u: _("在册") if u.is_active else _("已停用")),
        (_("停用日期"), lambda u: u.deactivated_on),
        (_("停用原因"), lambda u: u.deactivation_reason),
    ]
    return cols


def units_export(units: Iterable[Unit]) -> bytes:
    """The given units (with ``community`` and ``grid`` selected) as an .xlsx ledger."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    cols = _export_columns()
    for index, (header, _getter) in enumerate(cols, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, len(header) * 2 + 4)
    sheet.column_dimensions["B"].width = 30
    sheet.freeze_panes = "C2"
    header_cells = []
    for header, _getter in cols:
        cell = xlsx.cell(sheet, header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        header_cells.append(cell)
    sheet.append(header_cells)
    for unit in units:
        xlsx.append(sheet, [getter(unit) for _header, getter in cols])  # issue #14 §1: text stays text
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_filename() -> str:
    return _("成员单位台账-%(date)s.xlsx") % {"date": f"{timezone.localdate():%Y%m%d}"}
